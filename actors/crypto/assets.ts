/**
 * crypto: the assets orders may be paid in, from the worker configuration
 * — native ETH (18 decimals) and, when SY_CRYPTO_TOKEN_ADDRESS is set, one
 * ERC-20 (symbol and decimals configured) — and amounts in them (pure).
 */
import { BusinessError } from '../runtime/index.js';

export interface CryptoAssetConfig {
  symbol: string;
  decimals: number;
  /** The ERC-20 contract (checksummed); undefined for native ETH. */
  token?: string;
}

export const NATIVE_ASSET: CryptoAssetConfig = { symbol: 'ETH', decimals: 18 };

export function configuredAssets(token: { address: string; symbol: string; decimals: number }): Map<string, CryptoAssetConfig> {
  const assets = new Map([[NATIVE_ASSET.symbol, NATIVE_ASSET]]);
  if (token.address !== '') assets.set(token.symbol, { symbol: token.symbol, decimals: token.decimals, token: token.address });
  return assets;
}

/** The asset named `symbol`, or a VALIDATION refusal naming the accepted ones. */
export function assetNamed(assets: ReadonlyMap<string, CryptoAssetConfig>, symbol: string): CryptoAssetConfig {
  const asset = assets.get(symbol);
  if (!asset) throw new BusinessError('VALIDATION', `Unknown asset ${symbol}; this service accepts ${[...assets.keys()].join(', ')}.`, { details: { path: '/asset', accepted: [...assets.keys()] } });
  return asset;
}

/** `"12.5"` in an asset of `decimals` → base units; refuses 0 and more fraction digits than the asset has. */
export function toBaseUnits(amount: string, decimals: number): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  if (fraction.length > decimals) {
    throw new BusinessError('VALIDATION', `The amount has ${fraction.length} decimal places; this asset has ${decimals}.`, { details: { path: '/amount', decimals } });
  }
  const units = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  if (units <= 0n) throw new BusinessError('VALIDATION', 'The amount must be greater than 0.', { details: { path: '/amount' } });
  return units;
}

/** Base units → `"12.5"` (no trailing zeros). */
export function fromBaseUnits(units: bigint, decimals: number): string {
  const s = units.toString().padStart(decimals + 1, '0');
  const whole = s.slice(0, s.length - decimals);
  const fraction = s.slice(s.length - decimals).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}
