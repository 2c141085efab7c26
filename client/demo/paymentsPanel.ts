/**
 * The payments panel (actor `payments`, protocol/README.md "Payments"):
 * checkout of an order you name, its status pushed on your own topic
 * `user.<you>` (`payments.order`, newest version wins), and a refund once
 * it succeeded. Locally the payer's confirmation and Stripe's webhooks are
 * played by the local payment confirmer (config.paymentsConfirmUrl); with
 * real Stripe the page would hand `clientSecret` to Stripe.js instead.
 * Without a payments actor the panel says payments are not configured.
 */
// userTopic is paymentsUserTopic's formula without the schemas that module carries into the bundle.
import { userTopic } from '../../protocol/messaging/limits.js';
import type { CheckoutResult, OrderView } from '../../protocol/payments/views.js';
import type { DemoContext } from './demoApp.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;

export function mountPaymentsPanel(ctx: DemoContext, configured: boolean): void {
  $('payments-panel').hidden = false;
  const status = $('pay-status');
  if (!configured) {
    status.textContent = 'Payments are not configured: the worker runs no payments actor (set SY_STRIPE_SECRET_KEY; npm start uses stripe-mock).';
    $<HTMLButtonElement>('pay-submit').disabled = true;
    return;
  }
  const timing = $('pay-timing');
  const list = $<HTMLOListElement>('pay-orders');
  const orders = new Map<string, { view: OrderView; row: HTMLLIElement; trail: string[] }>();
  status.textContent = ctx.config.paymentsConfirmUrl
    ? 'Stripe is stripe-mock here (no real money); “confirm” plays the payer and Stripe’s webhooks.'
    : 'Confirm a payment with Stripe.js and the client secret; its webhooks move the order on.';

  const confirm = async (view: OrderView, outcome: 'succeeded' | 'failed') => {
    const res = await fetch(ctx.config.paymentsConfirmUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ order: view.order, paymentIntent: view.paymentIntent, amount: view.amount, currency: view.currency, outcome }),
    });
    if (!res.ok) status.textContent = `confirming failed: ${res.status} ${await res.text()}`;
  };
  const button = (label: string, onClick: () => void) => {
    const b = Object.assign(document.createElement('button'), { textContent: label, type: 'button' });
    b.addEventListener('click', onClick);
    return b;
  };
  const render = (view: OrderView) => {
    const known = orders.get(view.order);
    if (known && known.view.version >= view.version) return; // an older or repeated push
    const row = known?.row ?? list.insertBefore(document.createElement('li'), list.firstChild);
    const trail = known?.trail ?? [];
    if (trail.at(-1) !== view.status) trail.push(view.status);
    orders.set(view.order, { view, row, trail });
    row.dataset.order = view.order;
    row.dataset.status = view.status;
    const label = Object.assign(document.createElement('span'), {
      textContent: `${view.order} · ${money(view.amount, view.currency)} · ${trail.join(' → ')}${view.amountRefunded ? ` · refunded ${money(view.amountRefunded, view.currency)}` : ''} · v${view.version}`,
    });
    const actions: HTMLElement[] = [];
    if (ctx.config.paymentsConfirmUrl && (view.status === 'created' || view.status === 'requires_action' || view.status === 'failed')) {
      actions.push(button('confirm', () => { void confirm(view, 'succeeded'); }), button('decline', () => { void confirm(view, 'failed'); }));
    }
    if (view.refundable > 0) actions.push(button('refund', () => { void ctx.run('payments', view.order, 'refund', undefined, { timing }).result.catch(() => {}); }));
    row.replaceChildren(label, ...actions);
  };

  ctx.client.subscribe(userTopic(ctx.user), (event) => {
    if (event.name === 'payments.order') render(event.data as OrderView);
  });
  $<HTMLFormElement>('pay-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const amount = Number($<HTMLInputElement>('pay-amount').value);
    const order = `o-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    ctx.run<CheckoutResult>('payments', order, 'checkout', { amount, currency: 'usd', description: 'switchyard demo' }, { timing }).result.then(
      (r) => { render(r.order); },
      (err: { code?: string; message?: string }) => { status.textContent = `checkout failed: ${err.code} ${err.message ?? ''}`; },
    );
  });
}
