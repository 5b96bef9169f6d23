package io.sluice.runner.cli;

import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.server.SluiceServer;
import io.sluice.runner.testing.Cli;
import io.sluice.runner.testing.TestSluice;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the local default the way {@code serve} does, then follows its own banner's instructions. */
public final class LocalDefaultProbe {

    public record Run(String banner, int curlStatus, int tailExitCode, String tailOutput) {}

    private LocalDefaultProbe() {}

    public static Run serveAndSendTheCurlLine() throws Exception {
        try (LocalDefault local = LocalDefault.start(new ConfigLoader(PluginRegistry.builtIn()), 0)) {
            SluiceServer server = SluiceServer.start(local.config(), PluginRegistry.builtIn(), Clock.systemUTC());
            try {
                StringWriter banner = new StringWriter();
                local.printBanner(new PrintWriter(banner), server.baseUrl());
                Matcher key = Pattern.compile("curl -u ([0-9a-f]+):").matcher(banner.toString());
                key.find();
                Matcher body = Pattern.compile("-d '(.*)'").matcher(banner.toString());
                body.find();
                HttpResponse<String> response = post(server, key.group(1), body.group(1));
                Matcher tail = Pattern.compile("\\./sluice (tail .*)").matcher(banner.toString());
                tail.find();
                String[] args = (tail.group(1) + " --max 1 --timeout 60s").split(" ");
                Cli result = Cli.run(args);
                return new Run(banner.toString(), response.statusCode(), result.exitCode(), result.out());
            } finally {
                server.shutdown();
            }
        }
    }

    private static HttpResponse<String> post(SluiceServer server, String key, String body) throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/v1/track"))
                .timeout(TestSluice.WAIT)
                .header("Content-Type", "application/json");
        TestSluice.basic(key).forEach(request::header);
        return client.send(request.POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
