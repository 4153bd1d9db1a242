/**
 * Standard Webhooks signatures (standardwebhooks.com), made with the spec's
 * own TypeScript library (`standardwebhooks`, pure JS: it runs in workerd):
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`
 * where the key is the base64 part of a `whsec_…` secret. Receivers verify
 * with any Standard Webhooks library; tests/unit/webhook-signing.test.ts
 * checks this against the spec's published test vector.
 */
import { Webhook } from "standardwebhooks";

export type WebhookSigner = { headers(id: string, timestampSeconds: number, body: string): Promise<Record<string, string>> };

/** A signer for a `whsec_…` secret; throws a clear error for a secret that is not one. */
export function webhookSigner(secret: string): WebhookSigner {
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw new Error("the webhook secret must be whsec_ followed by base64 (at least 24 random bytes)");
  const hook = new Webhook(secret);
  return {
    headers: async (id, timestampSeconds, body) => ({
      "content-type": "application/json",
      "user-agent": "partyroom-webhooks",
      "webhook-id": id,
      "webhook-timestamp": String(timestampSeconds),
      "webhook-signature": hook.sign(id, new Date(timestampSeconds * 1000), body),
    }),
  };
}
