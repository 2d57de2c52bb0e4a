// The compose cluster's mail catcher: accepts every message on :1025 and prints it, so a
// person trying the cluster reads their codes with `docker-compose logs -f mail-sink`.
// The same job as scripts/mail-sink.ts does for `npm start`.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const port = Number(process.env.SMTP_PORT ?? 1025);

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
        console.log(`--- mail to ${to}: ${mail.subject ?? ''}\n${(mail.text ?? '').trim()}\n---`);
        callback();
      })
      .catch((error) => callback(error));
  },
});
server.listen(port, '0.0.0.0', () =>
  console.log(`mail sink: SMTP on :${port}, prints every message`),
);
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => server.close(() => process.exit(0)));
