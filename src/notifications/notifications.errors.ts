// Error codes of notifications: the API's answers and the reasons a delivery attempt failed (kept in the
// delivery log's last_error; never a secret).
import { AppError } from '../common/errors.js';

export const NotificationErrorCode = {
  NOT_FOUND: 'NOT_FOUND',
  BAD_CURSOR: 'BAD_REQUEST',
  DELIVERY_FAILED: 'NOTIFICATION_DELIVERY_FAILED',
  CHANNEL_UNUSABLE: 'NOTIFICATION_CHANNEL_UNUSABLE',
} as const;

export function notificationNotFound(id: string): AppError {
  return new AppError(NotificationErrorCode.NOT_FOUND, `No notification "${id}" exists, or it is not yours. List yours with GET /api/notifications.`, {
    notification: id,
  });
}

export function badNotificationCursor(): AppError {
  return new AppError(
    NotificationErrorCode.BAD_CURSOR,
    'The cursor is not one this list gave out: pass next_cursor from the previous page unchanged, or leave it out for the first page.',
    {},
  );
}

/** A delivery attempt that failed; `retryable: false` gives up at once (nothing a retry could change). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** The channel cannot be used as configured (no address, no URL, an unresolved credential): not retried. */
export function channelUnusable(message: string): DeliveryError {
  return new DeliveryError(message, false);
}
