/**
 * A reader for `text/event-stream` bodies (the WHATWG server-sent events
 * format, as OpenAI-compatible servers stream completions): events are
 * separated by a blank line; `data:` lines of one event are joined with
 * newlines; lines starting with `:` are comments (keep-alives); `\r\n`, `\r`
 * and `\n` all end a line.
 */

export interface ServerSentEvent {
  /** The `event:` field; undefined for the default "message" type. */
  event: string | undefined;
  data: string;
}

/**
 * Yields each event of `body` as it completes. `onBytes` is called for every
 * chunk received (comments included), so a caller can tell a silent server
 * from a slow one.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>, onBytes?: () => void): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      onBytes?.();
      buffer += decoder.decode(value, { stream: true });
      let lineEnd: number;
      while ((lineEnd = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // A lone \r at the end of the buffer may be the first half of \r\n.
        if (buffer[lineEnd] === '\r' && lineEnd === buffer.length - 1) break;
        const line = buffer.slice(0, lineEnd);
        buffer = buffer.slice(lineEnd + (buffer.startsWith('\r\n', lineEnd) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield { event, data: data.join('\n') };
          data = [];
          event = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
      }
    }
    if (data.length > 0) yield { event, data: data.join('\n') };
  } finally {
    reader.releaseLock();
  }
}
