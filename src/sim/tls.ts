// A throwaway certificate authority and a server certificate for localhost, made at start-up,
// so that the real Azure SDK clients can talk HTTPS to the emulator without any
// pre-provisioned secrets. Clients trust `caPem` (NODE_EXTRA_CA_CERTS or an https agent).
import "reflect-metadata"; // @peculiar/x509 resolves its services through tsyringe, which needs it
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

export interface SimTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const day = 24 * 60 * 60 * 1000;

export async function generateTls(hostnames: readonly string[] = ["localhost"]): Promise<SimTls> {
  const notBefore = new Date(Date.now() - day);
  const notAfter = new Date(Date.now() + 30 * day);

  const caKeys = await webcrypto.subtle.generateKey(ecdsa, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=avd-dr sim CA",
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm: ecdsa,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const serverKeys = await webcrypto.subtle.generateKey(ecdsa, true, ["sign", "verify"]);
  const altNames: x509.JsonGeneralName[] = [
    ...hostnames.map((value) => ({ type: "dns" as const, value })),
    { type: "ip", value: "127.0.0.1" },
    { type: "ip", value: "::1" },
  ];
  const server = await x509.X509CertificateGenerator.create({
    subject: `CN=${hostnames[0] ?? "localhost"}`,
    issuer: ca.subject,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: ecdsa,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(altNames),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", serverKeys.privateKey);
  return {
    caPem: ca.toString("pem"),
    certPem: server.toString("pem"),
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}
