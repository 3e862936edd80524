package dev.realtime.benchmarks.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** A {@link GatewayBenchNode} in a child JVM on this JVM's classpath, and its line protocol. */
final class NodeProcess implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final int port;

  /**
   * @param recording where the node writes a JFR recording of the whole run, or null for none
   */
  NodeProcess(Map<String, String> settings, String heap, @Nullable Path recording) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    if (recording != null) {
      command.add("-XX:StartFlightRecording=settings=profile,filename=" + recording);
    }
    command.add("-XX:+UseG1GC");
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(GatewayBenchNode.class.getName());
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    port = Integer.parseInt(expect("port "));
  }

  int port() {
    return port;
  }

  /** The node's heap in use after a full collection, in bytes. */
  long heapAfterGc() throws IOException {
    in.write("heap\n");
    in.flush();
    return Long.parseLong(expect("heap "));
  }

  private String expect(String prefix) throws IOException {
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length()).trim();
      }
    }
    throw new IOException("The gateway node ended before it printed '" + prefix + "'");
  }

  @Override
  public void close() throws Exception {
    try {
      in.write("stop\n");
      in.flush();
    } catch (IOException e) {
      // Ended already.
    }
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
