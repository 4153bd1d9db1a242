/**
 * `npm run token -- --room R --role view --ttl 1h [--user ID] [--name NAME] [--prefix] [--host URL]`
 * mints a room token with PARTYROOM_TOKEN_SECRET (from the environment, or
 * `--secret`) and prints it with the room link that carries it.
 */
import { parseArgs } from "node:util";
import { ENV, mintToken } from "../party/host/auth";
import { ROLES, type Role } from "../party/protocol";

const { values } = parseArgs({
  options: {
    room: { type: "string" },
    role: { type: "string", default: "edit" },
    ttl: { type: "string", default: "1h" },
    user: { type: "string" },
    name: { type: "string" },
    prefix: { type: "boolean", default: false },
    secret: { type: "string" },
    host: { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? 1999}` },
  },
});

function fail(message: string): never {
  console.error(`token: ${message}`);
  process.exit(2);
}

/** "90s", "15m", "1h", "7d" or plain seconds. */
function seconds(ttl: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(ttl.trim());
  if (!m) fail(`--ttl "${ttl}" is not like 90s, 15m, 1h or 7d`);
  return Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
}

const secret = values.secret ?? process.env[ENV.secret];
if (!secret) fail(`set ${ENV.secret} (the same secret the rooms use) or pass --secret`);
if (!values.room) fail("--room is required");
if (!(ROLES as readonly string[]).includes(values.role!)) fail(`--role must be one of ${ROLES.join(", ")}`);
const userId = values.user ?? `u-${Math.random().toString(36).slice(2, 10)}`;
const token = await mintToken(secret, {
  ...(values.prefix ? { roomPrefix: values.room } : { room: values.room }),
  role: values.role as Role,
  userId,
  ...(values.name ? { name: values.name } : {}),
  ttlSeconds: seconds(values.ttl!),
});
const link = `${values.host.replace(/\/$/, "")}/r/${values.prefix ? `${values.room}-example` : values.room}?token=${token}`;
console.log(`token  ${token}\nuser   ${userId}\nrole   ${values.role}\nexpires in ${values.ttl}\nlink   ${link}`);
