/**
 * Deposit addresses derived from an extended PUBLIC key (BIP32 xpub), one
 * per order. Only the xpub is configured on workers (SY_CRYPTO_XPUB); the
 * private key that can move the funds never is — whoever holds it derives
 * the same children offline to sweep them.
 *
 * The child of an order is at the non-hardened path `<i>/<j>` below the
 * xpub, where i and j are two 31-bit halves of SHA-256(order id): the same
 * order always gets the same address, and two orders share one only by a
 * 62-bit hash collision (the watched-address index refuses that case).
 */
import { createHash } from 'node:crypto';
import { HDKey } from '@scure/bip32';
import { secp256k1 } from '@noble/curves/secp256k1';
import { getAddress, keccak256, toHex } from 'viem';
import { IntegrationError } from '../integrationError.js';

export interface DepositAddress {
  /** Checksummed (EIP-55). */
  address: string;
  /** The path below the xpub, `<i>/<j>`. */
  path: string;
}

export class DepositAddresses {
  private readonly root: HDKey;

  /** Throws IntegrationError VALIDATION when `xpub` is not an extended public key. */
  constructor(xpub: string) {
    let root: HDKey;
    try {
      root = HDKey.fromExtendedKey(xpub);
    } catch (cause) {
      throw new IntegrationError('crypto', 'VALIDATION', 'SY_CRYPTO_XPUB is not a BIP32 extended public key.', { cause });
    }
    if (root.privateKey) throw new IntegrationError('crypto', 'VALIDATION', 'SY_CRYPTO_XPUB holds a private key; configure the extended PUBLIC key (xpub) only.');
    this.root = root;
  }

  /** The order's deposit address (pure: the same for the same order on every worker). */
  forOrder(order: string): DepositAddress {
    const digest = createHash('sha256').update(order).digest();
    const i = digest.readUInt32BE(0) & 0x7fffffff;
    const j = digest.readUInt32BE(4) & 0x7fffffff;
    const child = this.root.deriveChild(i).deriveChild(j);
    return { address: addressOfPublicKey(child.publicKey!), path: `${i}/${j}` };
  }
}

/** The Ethereum address of a (compressed or uncompressed) secp256k1 public key. */
export function addressOfPublicKey(publicKey: Uint8Array): string {
  const uncompressed = secp256k1.ProjectivePoint.fromHex(publicKey).toRawBytes(false);
  return getAddress(`0x${keccak256(toHex(uncompressed.subarray(1))).slice(-40)}`);
}
