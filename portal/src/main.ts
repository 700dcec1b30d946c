import { createApp, watchEffect } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createAppRouter } from './router';
import { setUnauthorizedHandler } from './api/hub';
import { useSessionStore } from './stores/session';
import { useBrandStore } from './stores/brand';
import { pageTitle } from './lib/brand';
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

// The tab and the page wear the brand of the host (or of a customer's vendor), page by page.
const brand = useBrandStore(pinia);
watchEffect(() => {
  if (!brand.ready) return;
  brand.apply(document);
  document.title = pageTitle(router.currentRoute.value.meta.title, brand.brand.productName);
});

app.mount('#app');
