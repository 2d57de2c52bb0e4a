// Healthy once the SMTP port answers with its greeting.
import { connect } from 'node:net';

const socket = connect(Number(process.env.SMTP_PORT ?? 1025), '127.0.0.1');
socket.setTimeout(2000, () => process.exit(1));
socket.once('data', (greeting) => process.exit(greeting.toString().startsWith('220') ? 0 : 1));
socket.once('error', () => process.exit(1));
