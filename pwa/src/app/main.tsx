// Entry point: render the app, then register the service worker.
import { render } from 'preact';
import { App } from './App';
import { registerServiceWorker } from './update';
import './styles.css';

render(<App />, document.getElementById('app')!);
registerServiceWorker();
