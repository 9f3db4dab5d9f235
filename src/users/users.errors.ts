// Errors of the users module.
import { AppError } from '../common/errors.js';

export function handleTaken(handle: string): AppError {
  return new AppError('CONFLICT', `A user with the handle "${handle}" already exists. Choose another handle.`, { handle });
}

export function userNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No user "${id}" exists. List users with GET /api/admin/users.`, { user: id });
}

export function badCursor(): AppError {
  return new AppError('VALIDATION_FAILED', 'The cursor is not one this server made: pass the next_cursor of a previous page, or leave it out to start over.', {
    problems: [{ pointer: '/cursor', message: 'not a cursor from a previous page' }],
  });
}
