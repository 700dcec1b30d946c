import type { LoginBody, LoginResponse, MeResponse, SignupBody, SignupResponse } from '@flotilla/protocol';
import { request } from './client';

export const authApi = {
  login: (body: LoginBody) => request<LoginResponse>('POST', '/auth/login', body),
  signup: (body: SignupBody) => request<SignupResponse>('POST', '/auth/signup', body),
  logout: () => request<undefined>('POST', '/auth/logout'),
  me: () => request<MeResponse>('GET', '/me'),
};
