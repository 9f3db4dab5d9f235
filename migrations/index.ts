// Every migration, oldest first. A new migration is one file here and one line in this list.
import { InitialSchema1795320551026 } from './1795320551026-InitialSchema.js';
import { OperatorCredentials1796610497750 } from './1796610497750-OperatorCredentials.js';

export const MIGRATIONS: Function[] = [InitialSchema1795320551026, OperatorCredentials1796610497750];
