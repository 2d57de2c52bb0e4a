import { z } from 'zod';
import { IsoDateTime, PageQuery, Uuid } from '../common.js';
import { EventCatalogue, type EventType } from '../events/catalogue.js';

/** Every type of the public event catalogue can be subscribed to. */
export const WebhookEventType = z
  .enum(Object.keys(EventCatalogue) as [EventType, ...EventType[]])
  .meta({ description: 'An event type of the public catalogue', example: 'ExpenseSubmitted' });

const WebhookUrl = z.string().trim().min(1).max(2000).meta({
  description:
    'An https URL on the public internet; names and addresses that resolve to loopback, private, link-local, metadata or reserved addresses are refused (422)',
  example: 'https://hooks.example.com/countersign',
});

const EventTypes = z
  .array(WebhookEventType)
  .min(1)
  .max(Object.keys(EventCatalogue).length)
  .refine((types) => new Set(types).size === types.length, {
    message: 'event_types must not repeat a type',
  });

export const CreateWebhookRequest = z
  .object({
    url: WebhookUrl,
    event_types: EventTypes,
    description: z.string().trim().max(500).optional(),
  })
  .strict()
  .meta({ id: 'CreateWebhookRequest' });
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = z
  .object({
    url: WebhookUrl.optional(),
    event_types: EventTypes.optional(),
    description: z.string().trim().max(500).optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, {
    message: 'send at least one of url, event_types, description, active',
  })
  .meta({ id: 'UpdateWebhookRequest' });
export type UpdateWebhookRequest = z.infer<typeof UpdateWebhookRequest>;

/** Rotate and redeliver take no fields; the empty object refuses smuggled ones. */
export const EmptyWebhookRequest = z.object({}).strict().meta({ id: 'EmptyWebhookRequest' });

export const Webhook = z
  .object({
    id: Uuid,
    url: z.string(),
    event_types: z.array(WebhookEventType),
    description: z.string(),
    active: z.boolean(),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
    previous_secret_expires_at: IsoDateTime.nullable().meta({
      description: 'After a rotation: until when the old secret still signs alongside the new',
    }),
  })
  .meta({ id: 'Webhook' });
export type Webhook = z.infer<typeof Webhook>;

const Secret = z.string().meta({
  description:
    'The signing secret (`whsec_<base64>`), shown only in this answer: store it now to verify deliveries',
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
});

export const CreatedWebhook = Webhook.extend({ secret: Secret }).meta({ id: 'CreatedWebhook' });
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

export const RotatedWebhookSecret = z
  .object({ secret: Secret, previous_secret_expires_at: IsoDateTime })
  .meta({ id: 'RotatedWebhookSecret' });
export type RotatedWebhookSecret = z.infer<typeof RotatedWebhookSecret>;

export const WebhookList = z.object({ items: z.array(Webhook) }).meta({ id: 'WebhookList' });
export type WebhookList = z.infer<typeof WebhookList>;

export const WebhookDeliveryStatus = z.enum(['pending', 'succeeded', 'failed']);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

export const WebhookDelivery = z
  .object({
    id: Uuid,
    webhook_id: Uuid,
    event_id: Uuid.meta({ description: 'Also the `webhook-id` header of every attempt' }),
    event_type: WebhookEventType,
    status: WebhookDeliveryStatus,
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    last_response_code: z.number().int().nullable(),
    last_attempt_at: IsoDateTime.nullable(),
    next_attempt_at: IsoDateTime.nullable().meta({ description: 'Null once succeeded or failed' }),
    delivered_at: IsoDateTime.nullable(),
    redelivery_of: Uuid.nullable().meta({ description: 'The delivery this one sends again' }),
    created_at: IsoDateTime,
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryPage = z
  .object({ items: z.array(WebhookDelivery), next_cursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryPage' });
export type WebhookDeliveryPage = z.infer<typeof WebhookDeliveryPage>;

export const WebhookIdParam = z.object({ id: Uuid });
export const WebhookDeliveryParams = z.object({ id: Uuid, delivery_id: Uuid });
export const WebhookDeliveryQuery = PageQuery;
