/** Token claims (SPEC §1) and the principal they give. */
import { z } from 'zod';

export const ROLES = ['admin', 'supervisor', 'wallboard', 'agent', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

/** Checked after the signature: a validly signed token can still carry unusable claims. */
export const claimsSchema = z.object({
  tenant: z.string().min(1, 'tenant must be a non-empty string'),
  role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` }),
  sub: z.string().min(1, 'sub must be a non-empty string'),
  queues: z.array(z.string().min(1, 'queue ids must be non-empty strings')).optional(),
  exp: z.number(),
  iat: z.number().optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});

export interface Principal {
  tenant: string;
  role: Role;
  sub: string;
  /** The queues this caller is limited to; null = all queues of the tenant. */
  queues: string[] | null;
  /** Expiry, epoch seconds. */
  exp: number;
}
