import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Display name shown instead of the configured sender's (a vendor's own), same address. */
  fromName?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** The address part of `Name <address>` or a bare address. */
export function senderAddress(from: string): string {
  return /<([^>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

/** SMTP delivery through nodemailer, e.g. `smtp://user:pass@mail.example.com:587`. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      // nodemailer quotes the name itself, so any display name is safe in the header.
      const sender = m.fromName ? { name: m.fromName, address: senderAddress(from) } : from;
      await transport.sendMail({ from: sender, to: m.to, subject: m.subject, text: m.text });
    },
  };
}
