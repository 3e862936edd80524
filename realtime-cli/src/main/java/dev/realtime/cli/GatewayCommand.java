package dev.realtime.cli;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.gateway.Gateway;
import dev.realtime.gateway.GatewayOptions;
import dev.realtime.metrics.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code realtime gateway}: one gateway node in the foreground, over the configured broker.
 * Settings are {@code realtime.gateway.*} ({@link GatewayOptions}) from every source, the app's
 * credentials also from Laravel's {@code PUSHER_APP_*} variables; {@code --port} is there because
 * it is the one a second node on the same machine always changes.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
    usageHelpAutoWidth = true,
    description = {"Run a gateway node in the foreground: browsers connect with pusher-js or "
        + "Laravel Echo on WebSocket, producers use Pusher's HTTP API, and every node over the "
        + "same broker delivers every event. Ctrl-C or SIGTERM stops it.",
        "",
        "Needs realtime.gateway.app-id, app-key and app-secret (or PUSHER_APP_ID, "
            + "PUSHER_APP_KEY, PUSHER_APP_SECRET); see docs/gateway.md for every setting."},
    footer = {"", "Examples:",
        "  PUSHER_APP_ID=1 PUSHER_APP_KEY=key PUSHER_APP_SECRET=secret \\",
        "    realtime gateway --broker=redis --set realtime.redis.uri=redis://127.0.0.1:6379",
        "  realtime gateway --config=gateway.properties --port=6002"})
final class GatewayCommand implements Callable<Integer> {
  @ParentCommand
  private RealtimeCommand root;

  @Option(names = "--port", paramLabel = "PORT",
      description = "The port to listen on (sets realtime.gateway.port; default 6001).")
  private Integer port;

  private final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    RealtimeConfig config = root.config();
    if (port != null) {
      config = config.newBuilder().set(GatewayOptions.PORT.name(), port.toString(), "--port")
          .build();
    }
    // One registry for the broker's meters and the node's, which GET /metrics shows.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gateway.Builder builder = Gateway.builder().config(config).meterRegistry(registry);
    PrintStream out = System.out;
    Signals.onStop(stop::countDown);
    try (Broker broker = Brokers.open(config, new MicrometerMetrics(registry))) {
      try (Gateway gateway = builder.broker(broker).start()) {
        out.println("gateway listening on " + config.get(GatewayOptions.HOST) + ":"
            + gateway.port() + " for app key " + config.get(GatewayOptions.APP_KEY) + ", over "
            + broker.name() + "; Ctrl-C to stop");
        out.flush();
        stop.await();
        out.println("stopping the gateway...");
      }
    }
    out.println("stopped");
    return 0;
  }
}
