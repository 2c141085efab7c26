/**
 * The crypto panel (actor `crypto`, protocol/crypto.md): checkout of an
 * order in ETH or the test token, its deposit address, amount and EIP-681
 * payment URI, and its progress pushed on your topic `user.<you>`
 * (`crypto.order`: seen, k of N confirmations, paid). Locally "pay" hands
 * the URI to the dev chain payer (config.cryptoPayUrl), which pays it from
 * the local chain's funded dev account; elsewhere a wallet pays the URI.
 */
import { userTopic } from '../../protocol/messaging/limits.js';
import type { CryptoOrderView } from '../../protocol/crypto/views.js';
import type { DemoContext } from './demoApp.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function mountCryptoPanel(ctx: DemoContext, configured: boolean): void {
  $('crypto-panel').hidden = false;
  const status = $('crypto-status');
  if (!configured) {
    status.textContent = 'Crypto payments are not configured: the worker runs no crypto actor (set SY_CRYPTO_RPC_URL and SY_CRYPTO_XPUB; npm start runs a local chain).';
    $<HTMLButtonElement>('crypto-submit').disabled = true;
    return;
  }
  const timing = $('crypto-timing');
  const list = $<HTMLOListElement>('crypto-orders');
  const orders = new Map<string, { view: CryptoOrderView; row: HTMLLIElement }>();
  status.textContent = ctx.config.cryptoPayUrl
    ? 'A local Ethereum node (a block a second); “pay” pays the URI from its dev account.'
    : 'Pay the payment URI with a wallet; the order follows the chain.';

  const pay = async (view: CryptoOrderView) => {
    const res = await fetch(ctx.config.cryptoPayUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uri: view.paymentUri }) });
    if (!res.ok) status.textContent = `paying failed: ${res.status} ${await res.text()}`;
  };
  const text = (className: string, content: string) => Object.assign(document.createElement('div'), { className, textContent: content });
  const render = (view: CryptoOrderView) => {
    const known = orders.get(view.order);
    if (known && known.view.version >= view.version) return; // an older or repeated push
    const row = known?.row ?? list.insertBefore(document.createElement('li'), list.firstChild);
    orders.set(view.order, { view, row });
    row.dataset.order = view.order;
    row.dataset.status = view.status;
    row.dataset.confirmations = String(view.confirmations);
    const progress = view.status === 'seen' || view.status === 'underpaid' ? ` · ${view.confirmations} of ${view.required} confirmations` : '';
    const parts: HTMLElement[] = [
      text('crypto-summary', `${view.order} · ${view.amount} ${view.asset} · ${view.status}${progress}${view.refundDue !== '0' ? ` · refund due ${view.refundDue}` : ''} · v${view.version}`),
      text('crypto-address', `to ${view.address}`),
      text('crypto-uri', view.paymentUri),
    ];
    if (ctx.config.cryptoPayUrl && (view.status === 'awaiting' || view.status === 'underpaid')) {
      const b = Object.assign(document.createElement('button'), { textContent: 'pay from the dev account', type: 'button', className: 'crypto-pay' });
      b.addEventListener('click', () => { b.disabled = true; void pay(view); });
      parts.push(b);
    }
    row.replaceChildren(...parts);
  };

  ctx.client.subscribe(userTopic(ctx.user), (event) => {
    if (event.name === 'crypto.order') render(event.data as CryptoOrderView);
  });
  $<HTMLFormElement>('crypto-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const order = `x-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const data = { asset: $<HTMLSelectElement>('crypto-asset').value, amount: $<HTMLInputElement>('crypto-amount').value.trim() };
    ctx.run<CryptoOrderView>('crypto', order, 'checkout', data, { timing }).result.then(
      (view) => { render(view); },
      (err: { code?: string; message?: string }) => { status.textContent = `checkout failed: ${err.code} ${err.message ?? ''}`; },
    );
  });
}
