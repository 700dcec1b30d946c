import { ref } from 'vue';

/** The page the router gave up downloading (lib/page-download), shown by App.vue until a navigation succeeds. */
export const pageDownloadFailure = ref<string | null>(null);
