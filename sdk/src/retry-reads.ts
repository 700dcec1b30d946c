/**
 * A fetch that asks again, once, for a read that failed at the network (a blip; seen in CI:
 * Chromium's ERR_NETWORK_CHANGED failing requests in flight). Writes are never sent twice: the
 * first may have reached the hub. An aborted request is not retried.
 */
export function retryingReads(fetchFn: typeof fetch, pauseMs = 200): typeof fetch {
  return async (input, init) => {
    try {
      return await fetchFn(input, init);
    } catch (err) {
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      const read = method === 'GET' || method === 'HEAD';
      // fetch rejects with a TypeError on network failures, an AbortError (DOMException) when aborted.
      if (!read || !(err instanceof TypeError) || init?.signal?.aborted) throw err;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      return fetchFn(input, init);
    }
  };
}
