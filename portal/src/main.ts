import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createAppRouter } from './router';
import { setUnauthorizedHandler } from './api/client';
import { useSessionStore } from './stores/session';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const router = createAppRouter();
app.use(router);

// A 401 from any API call means the session ended (expired, revoked, logged out elsewhere).
setUnauthorizedHandler(() => {
  const session = useSessionStore(pinia);
  if (!session.isSignedIn) return;
  session.forget();
  const here = router.currentRoute.value.fullPath;
  void router.push(here === '/' ? '/login' : { path: '/login', query: { redirect: here } });
});

app.mount('#app');
