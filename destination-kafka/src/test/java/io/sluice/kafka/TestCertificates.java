package io.sluice.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and a broker certificate it signed, made at test time with the
 * JDK's {@code keytool} (no library, nothing checked in that could expire): the broker's PKCS12
 * keystore holds its key with the chain up to the CA, and {@link #caPem()} is what a user pastes
 * into the destination's {@code caCertificate}. The broker certificate names {@code localhost} and
 * {@code 127.0.0.1}, so the client's hostname verification passes.
 */
final class TestCertificates {

    /** Guards throwaway files in a temporary directory; a test value, not a secret. */
    static final String STORE_PASSWORD = "test-store-pa55";

    private final Path keystore;
    private final String caPem;

    private TestCertificates(Path keystore, String caPem) {
        this.keystore = keystore;
        this.caPem = caPem;
    }

    /** A CA and a broker keystore signed by it, in {@code dir}. */
    static TestCertificates brokerSignedByNewCa(Path dir) {
        Path ca = dir.resolve("ca.p12");
        Path broker = dir.resolve("broker.p12");
        Path csr = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.pem");
        Path caFile = newCa(ca, "CN=Sluice test CA", dir.resolve("ca.pem"));
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", broker.toString());
        keytool("-certreq", "-alias", "broker", "-keystore", broker.toString(), "-file", csr.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-infile", csr.toString(), "-outfile",
                signed.toString(), "-rfc", "-validity", "2", "-ext", "san=dns:localhost,ip:127.0.0.1",
                "-ext", "eku=serverAuth", "-ext", "ku:c=digitalSignature,keyAgreement");
        // The CA first, so that the signed reply can be chained up to it and replace the self-signed one.
        keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", broker.toString(), "-file", caFile.toString());
        keytool("-importcert", "-alias", "broker", "-keystore", broker.toString(), "-file", signed.toString());
        return new TestCertificates(broker, read(caFile));
    }

    /** The PEM of another CA, which signed nothing the broker presents. */
    static String unrelatedCaPem(Path dir) {
        return read(newCa(dir.resolve("other-ca.p12"), "CN=Some other CA", dir.resolve("other-ca.pem")));
    }

    /** The broker's PKCS12 keystore (password {@link #STORE_PASSWORD}). */
    Path keystore() {
        return keystore;
    }

    /** The CA's certificate as PEM text, from {@code -----BEGIN CERTIFICATE-----} to its end. */
    String caPem() {
        return caPem;
    }

    private static Path newCa(Path store, String name, Path pem) {
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", name,
                "-validity", "2", "-ext", "bc:c=ca:true", "-ext", "ku:c=keyCertSign,cRLSign",
                "-storetype", "PKCS12", "-keystore", store.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-file", pem.toString());
        return pem;
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", STORE_PASSWORD));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
