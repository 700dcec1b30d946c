import type { z } from 'zod';
import type { API, ApiRouteKey } from '@flotilla/protocol';

/** Types of every REST route, derived from the protocol's wire contract (`API`): nothing written by hand. */

type Contract<K extends ApiRouteKey> = (typeof API)[K];
type PathOf<K extends string> = K extends `${string} ${infer P}` ? P : never;
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | ParamNames<`/${Rest}`> : P extends `${string}:${infer Name}` ? Name : never;

/** `{id: string, vid: string}` for `GET /applications/:id/versions/:vid`. */
export type PathParams<K extends ApiRouteKey> = { [N in ParamNames<PathOf<K>>]: string };

/** Query values as sent: coerced numbers may be given as numbers or strings. */
type QueryInput<Q extends z.ZodType> = { [P in keyof z.input<Q>]?: unknown extends z.input<Q>[P] ? string | number : z.input<Q>[P] };

export type BodyOf<K extends ApiRouteKey> = Contract<K> extends { body: infer B extends z.ZodType } ? z.input<B> : never;
export type QueryOf<K extends ApiRouteKey> = Contract<K> extends { query: infer Q extends z.ZodType } ? QueryInput<Q> : never;

type Responses<K extends ApiRouteKey> = Contract<K>['responses'];
/** The body of any success answer of the route (`undefined` for 204). */
export type ResponseOf<K extends ApiRouteKey> = {
  [S in keyof Responses<K>]: Responses<K>[S] extends z.ZodType ? z.output<Responses<K>[S]> : undefined;
}[keyof Responses<K>];

export type RequestOptions<K extends ApiRouteKey> = ([ParamNames<PathOf<K>>] extends [never] ? { params?: undefined } : { params: PathParams<K> }) &
  ([BodyOf<K>] extends [never] ? { body?: undefined } : { body: BodyOf<K> }) &
  ([QueryOf<K>] extends [never] ? { query?: undefined } : { query?: QueryOf<K> }) & { signal?: AbortSignal };

/** Options are optional when the route has no path parameter and no body. */
export type RequestArgs<K extends ApiRouteKey> = object extends RequestOptions<K> ? [options?: RequestOptions<K>] : [options: RequestOptions<K>];

/** Routes answering pages: `{items, nextCursor}` (pass as `cursor`) or `{items, nextBefore}` (pass as `before`). */
export type PagedRouteKey = {
  [K in ApiRouteKey]: ResponseOf<K> extends { items: unknown[]; nextCursor: string | null } | { items: unknown[]; nextBefore: unknown } ? K : never;
}[ApiRouteKey];
export type ItemOf<K extends PagedRouteKey> = ResponseOf<K> extends { items: (infer I)[] } ? I : never;
