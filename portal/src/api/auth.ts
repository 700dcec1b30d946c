import type { LoginBody, SignupBody } from '@flotilla/protocol';
import { hub } from './hub';

export const authApi = {
  login: (body: LoginBody) => hub.request('POST /auth/login', { body }),
  /** A hub with SMTP answers SignupPending: the account is made from the link mailed to the address. */
  signup: (body: SignupBody) => hub.request('POST /auth/signup', { body }),
  confirmSignup: (token: string) => hub.request('POST /auth/signup/confirm', { body: { token } }),
  logout: () => hub.request('POST /auth/logout'),
  me: () => hub.request('GET /me'),
};
