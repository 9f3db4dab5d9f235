// What the drift test compares beyond TypeORM's own schema builder, which matches checks and indexes by name
// only: the catalog as Postgres itself prints it (column types, defaults, nullability; every constraint and
// index definition, partial-index predicates and CHECK expressions included). Triggers and functions, which
// TypeORM does not model and the migration adds by hand, are left out on purpose.
import pg from 'pg';

/** Tables TypeORM's migration runner owns, not the entities. */
const IGNORED_TABLES = ['migrations', 'typeorm_metadata'];

export async function catalogSnapshot(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query<{ line: string }>(
      `SELECT format('column %s.%s %s%s null=%s default=%s', table_name, column_name, udt_name,
                     CASE WHEN data_type = 'ARRAY' THEN '[]' ELSE '' END, is_nullable, coalesce(column_default, '-')) AS line
         FROM information_schema.columns
        WHERE table_schema = 'public' AND NOT (table_name = ANY($1))`,
      [IGNORED_TABLES],
    );
    const constraints = await client.query<{ line: string }>(
      `SELECT format('constraint %s.%s %s', t.relname, c.conname, pg_get_constraintdef(c.oid)) AS line
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND NOT (t.relname = ANY($1))`,
      [IGNORED_TABLES],
    );
    const indexes = await client.query<{ line: string }>(
      `SELECT format('index %s', indexdef) AS line FROM pg_indexes WHERE schemaname = 'public' AND NOT (tablename = ANY($1))`,
      [IGNORED_TABLES],
    );
    return [...columns.rows, ...constraints.rows, ...indexes.rows].map((row) => row.line).sort();
  } finally {
    await client.end();
  }
}

/** Lines only in `a` and lines only in `b`. */
export function diffLines(a: string[], b: string[]): { onlyInA: string[]; onlyInB: string[] } {
  const setA = new Set(a);
  const setB = new Set(b);
  return { onlyInA: a.filter((line) => !setB.has(line)), onlyInB: b.filter((line) => !setA.has(line)) };
}

/** Everything in the public schema besides the migrations table: tables, views, sequences, functions, types. */
export async function publicObjects(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ line: string }>(
      `SELECT format('%s %s', CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'sequence' END, c.relname) AS line
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'S') AND c.relname NOT IN ('migrations', 'migrations_id_seq')
       UNION ALL
       SELECT format('function %s', p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
       UNION ALL
       SELECT format('type %s', t.typname) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')`,
    );
    return result.rows.map((row) => row.line).sort();
  } finally {
    await client.end();
  }
}
