/**
 * RSA-SHA256 (PKCS#1 v1.5, base64) signatures, API.md §1 and §3:
 * - requests we send: over UTF-8(body) + request URI + timestamp, our private key;
 * - webhooks Ping++ sends: over the raw body bytes, Ping++'s public key.
 */
import { createPublicKey, createSign, createVerify, type KeyObject } from "node:crypto";

type Bytes = string | Uint8Array;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** base64 RSA-SHA256 signature of `data` (UTF-8 if a string). Throws on a bad key. */
export function rsaSign(data: Bytes, privateKeyPem: string): string {
  return createSign("RSA-SHA256").update(data).sign(privateKeyPem, "base64");
}

/** true iff `signatureBase64` is a valid RSA-SHA256 signature of `data`. Never throws. */
const publicKeys = new Map<string, KeyObject>();

/** A PEM parsed once (parsing costs several times the verification itself). Throws on a bad PEM. */
function publicKeyObject(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    if (publicKeys.size > 16) publicKeys.clear();
    publicKeys.set(pem, key);
  }
  return key;
}

export function rsaVerify(data: Bytes, signatureBase64: string, publicKeyPem: string): boolean {
  try {
    if (typeof signatureBase64 !== "string" || typeof publicKeyPem !== "string") return false;
    const sig = signatureBase64.trim();
    if (!sig || sig.length % 4 !== 0 || !BASE64.test(sig)) return false;
    return createVerify("RSA-SHA256").update(data).verify(publicKeyObject(publicKeyPem), sig, "base64");
  } catch {
    return false;
  }
}

/** Verify the `X-Pingplusplus-Signature` header of a webhook over the raw body bytes. Never throws. */
export function verifyWebhookSignature(rawBody: Bytes, signatureBase64: string, publicKeyPem: string): boolean {
  return rsaVerify(rawBody, signatureBase64, publicKeyPem);
}

export interface SignedRequestParts {
  /** the exact body bytes sent ("" for GET) */
  body: Bytes;
  /** path incl. `/v1` and `?query`, exactly as sent */
  requestUri: string;
  /** decimal Unix seconds, as sent in `Pingplusplus-Request-Timestamp` */
  timestamp: string | number;
}

/** The bytes a request signature covers: body + request URI + timestamp. */
export function requestSigningPayload(parts: SignedRequestParts): Buffer {
  const body = typeof parts.body === "string" ? Buffer.from(parts.body, "utf8") : Buffer.from(parts.body);
  return Buffer.concat([body, Buffer.from(`${parts.requestUri}${parts.timestamp}`, "utf8")]);
}

/** Value of the `Pingplusplus-Signature` header. */
export function signRequest(parts: SignedRequestParts, privateKeyPem: string): string {
  return rsaSign(requestSigningPayload(parts), privateKeyPem);
}

/** Check a `Pingplusplus-Signature` (what Ping++, or the sandbox, does). Never throws. */
export function verifyRequestSignature(
  parts: SignedRequestParts,
  signatureBase64: string,
  publicKeyPem: string,
): boolean {
  return rsaVerify(requestSigningPayload(parts), signatureBase64, publicKeyPem);
}
