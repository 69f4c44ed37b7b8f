// Access tokens the emulator issues and checks: compact JWTs signed with a key made at
// start-up (HS256), carrying what ARM looks at: audience, tenant, caller, expiry.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface AccessClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  appid: string;
  iat: number;
  nbf: number;
  exp: number;
}

const b64 = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export class TokenSigner {
  readonly #key = randomBytes(32);

  sign(claims: AccessClaims): string {
    const head = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify(claims))}`;
    return `${head}.${createHmac("sha256", this.#key).update(head).digest("base64url")}`;
  }

  /** The claims of a token this signer issued, or the reason it is refused. */
  verify(token: string, nowSeconds: number): AccessClaims | string {
    const [head, body, signature] = token.split(".");
    if (!head || !body || !signature) return "The access token is malformed.";
    const expected = createHmac("sha256", this.#key).update(`${head}.${body}`).digest();
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return "The access token has an invalid signature.";
    }
    const claims = decodeJwtPayload(token) as AccessClaims | undefined;
    if (!claims) return "The access token is malformed.";
    if (claims.exp <= nowSeconds) return "The access token expiry UTC time is earlier than current UTC time.";
    return claims;
  }
}

/** The payload of any compact JWT, unverified (client assertions come from another issuer). */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const body = token.split(".")[1];
  if (!body || token.split(".").length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    return typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
