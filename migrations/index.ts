// Every migration, oldest first. A new migration is one file here and one line in this list.
export const MIGRATIONS: Function[] = [];
