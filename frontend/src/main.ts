import { mount } from 'svelte';
import App from './App.svelte';
import { initLocale } from './lib/i18n/index.svelte';
import { initTheme } from './lib/theme.svelte';
import './app.css';

// Paint the theme and pick a language before the first frame; Environment()
// may refine the language a moment later.
initTheme();
initLocale();

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
