// Error codes of the credits module (402 INSUFFICIENT_CREDITS, 404 NOT_FOUND, 400 BAD_REQUEST).
import { AppError } from '../common/errors.js';

export function chargeRefused(what: string, cost: number, balance: number | null): AppError {
  const have = balance === null ? 'no credit account' : `a balance of ${balance}`;
  return new AppError(
    'INSUFFICIENT_CREDITS',
    `${what} costs ${cost} credit${cost === 1 ? '' : 's'}, and its user has ${have}. Ask an admin for a top-up (POST /api/admin/users/{user_id}/credits).`,
    { cost, balance: balance ?? 0 },
  );
}

export function creditUserNotFound(userId: string): AppError {
  return new AppError('NOT_FOUND', `No user "${userId}" exists. List users with GET /api/admin/users and use the id of one.`, { user_id: userId });
}

export function badTransactionsCursor(): AppError {
  return new AppError(
    'BAD_REQUEST',
    'The cursor is not one this list gave out: pass next_cursor from the previous page unchanged, or leave it out for the first page.',
    {},
  );
}

export function balanceTooLarge(balance: number, amount: number): AppError {
  return new AppError(
    'BAD_REQUEST',
    `Adding ${amount} credits to a balance of ${balance} would pass ${Number.MAX_SAFE_INTEGER} (2^53 - 1), the largest balance Trellis keeps exactly. Add at most ${Math.max(0, Number.MAX_SAFE_INTEGER - balance)}.`,
    { balance, amount, max_balance: Number.MAX_SAFE_INTEGER },
  );
}
