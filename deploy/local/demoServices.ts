/**
 * What the demo's AI and payments panels need on a machine with no
 * accounts and no network, started by `npm start` and by the demo's browser
 * test:
 *
 * - AI: unless SY_AI_PROVIDER is set, the local OpenAI-compatible stand-in
 *   (chatCompletionsServer.ts) as the provider. It streams a canned answer
 *   built from the prompt word by word, so the demo shows real streaming
 *   through the `openai` provider code, offline. It is not a model, and the
 *   stack's output says so.
 * - Payments: unless SY_STRIPE_SECRET_KEY is set, stripe-mock as Stripe's
 *   API and the local payment confirmer (localPaymentConfirmer.ts) as the
 *   payer's browser and Stripe's webhooks.
 * - Crypto: unless SY_CRYPTO_RPC_URL is set, a local Ethereum node
 *   (chain/devChainNode.ts: Hardhat, a block a second, the test token
 *   deployed) and the dev chain payer (chain/devChainPayer.ts) as the
 *   payer's wallet.
 *
 * `env` goes to every switchyard process; `demo` to the page's config.json.
 */
import { startChatCompletionsServer, type ChatCompletionsServer, type ChatRequestMessage } from './chatCompletionsServer.js';
import { startLocalPaymentConfirmer, type LocalPaymentConfirmer } from './localPaymentConfirmer.js';
import { startStripeMock, type ServerProcess } from './servers.js';
import { DEV_CHAIN_ID, startDevChainNode, type DevChainNode } from './chain/devChainNode.js';
import { startDevChainPayer, type DevChainPayer } from './chain/devChainPayer.js';

/** Development-only secrets of the local stack; never valid anywhere else. */
// stripe-mock refuses keys with an underscore after sk_test_'s own.
const LOCAL_STRIPE_SECRET_KEY = 'sk_test_switchyardlocal';
const LOCAL_STRIPE_WEBHOOK_SECRET = 'whsec_switchyard_local_development';
const STAND_IN_MODEL = 'local-stand-in';
/** Pause between streamed words of the stand-in's answer: slow enough to watch the progress pushes. */
const STAND_IN_WORD_DELAY_MS = 40;

export interface DemoPageSettings {
  /** What answers AI prompts, in words for the page. */
  ai: string;
  /** The local payment confirmer; absent when Stripe is configured by the caller (or not at all). */
  paymentsConfirmUrl?: string;
  /** The dev chain payer (pays a crypto order's payment URI from the dev account); absent with a chain of the caller's. */
  cryptoPayUrl?: string;
}

/** Confirmations a crypto payment needs on the local chain (a block a second: paid in about 3 s). */
const DEMO_CRYPTO_CONFIRMATIONS = 3;
const DEMO_CHAIN_BLOCK_MS = 1000;

export interface DemoServices {
  env: Record<string, string>;
  demo: DemoPageSettings;
  /** One line each for the stack's output: what runs for AI and payments. */
  summary: string[];
  /** Tells the services the gateway's HTTP base (webhooks go there). */
  gatewayStarted(httpUrl: string): void;
  stop(): Promise<void>;
}

function standInAnswer(messages: ChatRequestMessage[]): { kind: 'stream'; pieces: string[]; delayMs: number } {
  const question = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const text = 'This answer comes from the local stand-in for an OpenAI-compatible server that npm start runs: no model, no network. '
    + 'It streams word by word through the same provider code a real model would use, so you can watch the progress pushes arrive before the one result. '
    + `You asked: “${question.length > 200 ? `${question.slice(0, 200)}…` : question}”`;
  return { kind: 'stream', pieces: text.split(/(?= )/), delayMs: STAND_IN_WORD_DELAY_MS };
}

export async function startDemoServices(given: NodeJS.ProcessEnv = process.env): Promise<DemoServices> {
  const env: Record<string, string> = {};
  const summary: string[] = [];
  const demo: DemoPageSettings = { ai: '' };
  let ai: ChatCompletionsServer | undefined;
  let stripeMock: (ServerProcess & { url: string }) | undefined;
  let confirmer: LocalPaymentConfirmer | undefined;
  let chain: DevChainNode | undefined;
  let payer: DevChainPayer | undefined;
  const stop = async () => {
    await Promise.all([ai?.stop(), confirmer?.stop(), stripeMock?.stop(), payer?.stop(), chain?.stop()]);
  };
  try {
    if (given.SY_AI_PROVIDER) {
      demo.ai = given.SY_AI_PROVIDER === 'openai' ? `the OpenAI-compatible API at ${given.SY_AI_BASE_URL ?? 'https://api.openai.com/v1'}` : 'the SIMULATED provider (canned answers)';
      summary.push(`AI          ${demo.ai} (SY_AI_PROVIDER=${given.SY_AI_PROVIDER})`);
    } else {
      ai = await startChatCompletionsServer({ defaultAnswer: standInAnswer });
      Object.assign(env, { SY_AI_PROVIDER: 'openai', SY_AI_BASE_URL: ai.baseUrl, SY_AI_MODEL: STAND_IN_MODEL, SY_AI_API_KEY: '' });
      demo.ai = 'a LOCAL STAND-IN server (canned answers streamed word by word, not a model; set SY_AI_PROVIDER for a real one)';
      summary.push(`AI          local OpenAI-compatible stand-in at ${ai.baseUrl}: CANNED answers, not a model, works offline`);
      summary.push('              (a real one: SY_AI_PROVIDER=openai SY_AI_BASE_URL=… SY_AI_MODEL=… SY_AI_API_KEY=…)');
    }
    if (given.SY_STRIPE_SECRET_KEY) {
      summary.push(`payments    Stripe at ${given.SY_STRIPE_API_BASE ?? 'https://api.stripe.com'} (SY_STRIPE_SECRET_KEY set; webhooks come from Stripe)`);
    } else {
      try {
        stripeMock = await startStripeMock();
        confirmer = await startLocalPaymentConfirmer({ stripeMockUrl: stripeMock.url, stripeSecretKey: LOCAL_STRIPE_SECRET_KEY, webhookSecret: LOCAL_STRIPE_WEBHOOK_SECRET });
        Object.assign(env, { SY_STRIPE_SECRET_KEY: LOCAL_STRIPE_SECRET_KEY, SY_STRIPE_API_BASE: stripeMock.url, SY_STRIPE_WEBHOOK_SECRET: LOCAL_STRIPE_WEBHOOK_SECRET });
        demo.paymentsConfirmUrl = confirmer.confirmUrl;
        summary.push(`payments    stripe-mock at ${stripeMock.url} (no real money); the demo's "confirm" button plays the payer and Stripe's webhooks`);
      } catch (err) {
        // Payments are optional for the stack: without them the worker runs no payments actor and the demo says so.
        await Promise.all([confirmer?.stop(), stripeMock?.stop()]);
        confirmer = undefined;
        stripeMock = undefined;
        summary.push(`payments    NOT CONFIGURED: stripe-mock did not start (${(err as Error).message.split('\n')[0]}); run npm run tools`);
      }
    }
    if (given.SY_CRYPTO_RPC_URL) {
      summary.push(`crypto      the Ethereum node at ${given.SY_CRYPTO_RPC_URL} (SY_CRYPTO_RPC_URL set)`);
    } else {
      chain = await startDevChainNode({ blockIntervalMs: DEMO_CHAIN_BLOCK_MS });
      payer = await startDevChainPayer(chain.chain, DEV_CHAIN_ID);
      Object.assign(env, chain.env, { SY_CRYPTO_CONFIRMATIONS: String(DEMO_CRYPTO_CONFIRMATIONS) });
      demo.cryptoPayUrl = payer.payUrl;
      summary.push(`crypto      local Hardhat node at ${chain.rpcUrl} (chain ${DEV_CHAIN_ID}, a block a second, test token TUSD at ${chain.token});`);
      summary.push(`              the demo's "pay" button pays from the dev account ${chain.chain.account}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    env, demo, summary, stop,
    gatewayStarted: (httpUrl) => confirmer?.deliverTo(httpUrl),
  };
}
