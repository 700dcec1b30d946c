import type { LoginBody, LoginResponse, MeResponse, SignupBody, SignupPending, SignupResponse } from '@flotilla/protocol';
import { request } from './client';

export const authApi = {
  login: (body: LoginBody) => request<LoginResponse>('POST', '/auth/login', body),
  /** A hub with SMTP answers SignupPending: the account is made from the link mailed to the address. */
  signup: (body: SignupBody) => request<SignupResponse | SignupPending>('POST', '/auth/signup', body),
  confirmSignup: (token: string) => request<SignupResponse>('POST', '/auth/signup/confirm', { token }),
  logout: () => request<undefined>('POST', '/auth/logout'),
  me: () => request<MeResponse>('GET', '/me'),
};
