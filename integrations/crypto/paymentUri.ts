/**
 * EIP-681 payment URIs (what a wallet opens to pay): native ETH as
 * `ethereum:<to>@<chainId>?value=<wei>`, an ERC-20 as
 * `ethereum:<token>@<chainId>/transfer?address=<to>&uint256=<amount>`.
 * Amounts are in base units, written as plain integers (EIP-681 allows
 * exponent notation; plain digits are read by every wallet).
 */
export interface PaymentRequest {
  chainId: number;
  to: string;
  /** Base units (wei, the token's smallest unit). */
  amount: bigint;
  /** The ERC-20 contract; absent for native ETH. */
  token?: string;
}

export function paymentUri(request: PaymentRequest): string {
  if (request.token === undefined) return `ethereum:${request.to}@${request.chainId}?value=${request.amount}`;
  return `ethereum:${request.token}@${request.chainId}/transfer?address=${request.to}&uint256=${request.amount}`;
}
