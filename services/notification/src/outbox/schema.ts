/**
 * The schema holding this service's tables, its outbox included. Notification writes its
 * outbox rows in the same statement as the notifications they announce
 * (use-cases/notify-people.ts); the platform relay publishes them.
 */
export const NOTIFICATION_SCHEMA = 'notification';
