// Every TypeORM entity, in one list: the DataSource, the migrations drift check and the tests share it.
import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { UserEntity } from '../users/user.entity.js';

export const ENTITIES = [UserEntity, ApiKeyEntity];
