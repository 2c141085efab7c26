/**
 * Verifies client JWTs (jose). The accepted algorithms are pinned by
 * configuration, so `alg: none` and HS/RS confusion are refused before any
 * key is used; `exp` and `nbf` are checked with the configured clock skew;
 * issuer and audience when configured (Firebase Auth ID tokens: issuer
 * https://securetoken.google.com/<project>, audience <project>, JWKS URL
 * https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com).
 */
import { createRemoteJWKSet, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { SwitchyardError } from '../protocol/index.js';
import type { Config } from '../platform/index.js';

export interface VerifiedToken {
  /** The `sub` claim: who the client is. */
  user: string;
  /** Seconds since epoch when the token expires, if it says. */
  expiresAt: number | undefined;
  claims: JWTPayload;
}

type KeySource = Uint8Array | Awaited<ReturnType<typeof importSPKI>> | JWTVerifyGetKey;

export class TokenVerifier {
  private constructor(
    private readonly keys: Array<{ algorithms: string[]; key: KeySource }>,
    private readonly options: { issuer?: string; audience?: string; clockTolerance: number },
  ) {}

  static async fromConfig(config: Pick<Config, 'jwtSecret' | 'jwtPublicKey' | 'jwksUrl' | 'jwtAlgorithms' | 'jwtIssuer' | 'jwtAudience' | 'jwtClockSkewS'>): Promise<TokenVerifier> {
    const allowed = config.jwtAlgorithms.split(',');
    const asymmetric = allowed.filter((a) => a !== 'HS256');
    const keys: Array<{ algorithms: string[]; key: KeySource }> = [];
    if (allowed.includes('HS256')) {
      if (config.jwtSecret.length < 16) throw new Error('SY_JWT_ALGORITHMS includes HS256 but SY_JWT_SECRET is shorter than 16 characters');
      keys.push({ algorithms: ['HS256'], key: new TextEncoder().encode(config.jwtSecret) });
    }
    for (const alg of asymmetric) {
      if (config.jwksUrl) keys.push({ algorithms: [alg], key: createRemoteJWKSet(new URL(config.jwksUrl)) });
      else if (config.jwtPublicKey) keys.push({ algorithms: [alg], key: await importSPKI(config.jwtPublicKey, alg) });
      else throw new Error(`SY_JWT_ALGORITHMS includes ${alg} but neither SY_JWT_JWKS_URL nor SY_JWT_PUBLIC_KEY is set`);
    }
    const options: { issuer?: string; audience?: string; clockTolerance: number } = { clockTolerance: config.jwtClockSkewS };
    if (config.jwtIssuer) options.issuer = config.jwtIssuer;
    if (config.jwtAudience) options.audience = config.jwtAudience;
    return new TokenVerifier(keys, options);
  }

  /** Resolves with the verified identity or rejects with AUTH_FAILED (never leaking why beyond a sentence). */
  async verify(token: string): Promise<VerifiedToken> {
    const alg = headerAlg(token);
    const entry = this.keys.find((k) => alg !== undefined && k.algorithms.includes(alg));
    if (!entry) throw new SwitchyardError('AUTH_FAILED', `Token algorithm ${JSON.stringify(alg ?? null)} is not accepted.`);
    try {
      const { payload } = await jwtVerify(token, entry.key as Uint8Array, { ...this.options, algorithms: entry.algorithms });
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 256) {
        throw new SwitchyardError('AUTH_FAILED', 'Token has no usable `sub` claim.');
      }
      return { user: payload.sub, expiresAt: payload.exp, claims: payload };
    } catch (err) {
      if (err instanceof SwitchyardError) throw err;
      const code = (err as { code?: string }).code ?? '';
      const message = code === 'ERR_JWT_EXPIRED' ? 'Token has expired.'
        : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? `Token claim check failed: ${(err as Error).message}.`
        : code === 'ERR_JWKS_NO_MATCHING_KEY' ? 'Token key id (kid) is unknown.'
        : 'Token signature or format is invalid.';
      throw new SwitchyardError('AUTH_FAILED', message, { cause: err });
    }
  }
}

function headerAlg(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' ? header.alg : undefined;
  } catch {
    return undefined;
  }
}
