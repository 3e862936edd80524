package dev.realtime.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Pusher clients, driven from a test: {@code src/test/browser/driver.mjs} run by Node.js,
 * with Debian's Chromium through playwright-core and the {@code pusher} server SDK. Its npm
 * packages are installed once into {@code target/browser} with {@code npm ci} (from the
 * committed lock file, so every run gets the same versions).
 */
final class BrowserDriver implements AutoCloseable {
  static final Path SOURCES = Path.of("src/test/browser");
  static final Path HOME = Path.of("target/browser");
  private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM",
      "/usr/bin/chromium");

  private final Process process;
  private final Writer commands;
  private final BufferedReader answers;

  private BrowserDriver(Process process) {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.answers = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Installs the packages if needed and starts the driver.
   *
   * @throws AssertionError saying what to install when Node.js or Chromium is missing: a
   *     browser test that cannot run fails, it is not skipped
   */
  static BrowserDriver start() throws Exception {
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      throw new AssertionError("No Chromium at " + CHROMIUM + ": install Debian's package"
          + " (scripts/services does, as root: apt-get install chromium), or set CHROMIUM");
    }
    install();
    Process process = new ProcessBuilder("node", "driver.mjs")
        .directory(HOME.toFile())
        .redirectError(HOME.resolve("driver.log").toFile())
        .start();
    return new BrowserDriver(process);
  }

  /** The installed packages' files, such as {@code node_modules/pusher-js/dist/web/...}. */
  static Path file(String path) {
    return HOME.resolve(path);
  }

  private static void install() throws Exception {
    Files.createDirectories(HOME);
    for (String name : List.of("package.json", "package-lock.json", "driver.mjs",
        "pusher-page.html")) {
      Files.copy(SOURCES.resolve(name), HOME.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
    Path installed = HOME.resolve("node_modules/.package-lock.json");
    if (Files.exists(installed) && Files.getLastModifiedTime(installed).compareTo(
        Files.getLastModifiedTime(SOURCES.resolve("package-lock.json"))) > 0) {
      return;
    }
    Process npm;
    try {
      npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
          .directory(HOME.toFile()).redirectErrorStream(true)
          .redirectOutput(HOME.resolve("npm.log").toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("npm is not installed: the browser tests need Node.js 18 or"
          + " later and npm (apt-get install nodejs npm)", e);
    }
    if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
      npm.destroyForcibly();
      throw new AssertionError("npm ci failed in " + HOME + ":\n"
          + Files.readString(HOME.resolve("npm.log")));
    }
  }

  /** Sends one command and returns its value; fails with the driver's error. */
  synchronized JsonNode send(ObjectNode command) {
    try {
      commands.write(PusherSocket.JSON.writeValueAsString(command) + "\n");
      commands.flush();
      String line = answers.readLine();
      if (line == null) {
        throw new AssertionError("The browser driver ended; its log:\n"
            + Files.readString(HOME.resolve("driver.log")));
      }
      JsonNode answer = PusherSocket.read(line);
      if (!answer.path("ok").asBoolean()) {
        throw new AssertionError("The browser driver failed " + command.path("op").asText()
            + ": " + answer.path("error").asText() + "\nbrowser console: " + answer.path("logs"));
      }
      return answer.path("value");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new tab at {@code url}, called {@code page}. */
  void open(String page, String url) {
    ObjectNode command = command("open", page);
    command.put("url", url);
    send(command);
  }

  /** Evaluates {@code js} in {@code page}. */
  JsonNode eval(String page, String js) {
    ObjectNode command = command("eval", page);
    command.put("js", js);
    return send(command);
  }

  /** Waits until {@code js} is truthy in {@code page}, at most 15 s, and returns its value. */
  JsonNode waitFor(String page, String js) {
    ObjectNode command = command("waitFor", page);
    command.put("js", js);
    command.put("ms", PusherSocket.WAIT.toMillis());
    return send(command);
  }

  void close(String page) {
    send(command("close", page));
  }

  /** {@code pusher.trigger(channel, event, data)} with the npm server SDK, against {@code port}. */
  JsonNode trigger(PusherApp app, int port, String channel, String event, JsonNode data) {
    ObjectNode command = PusherSocket.JSON.createObjectNode();
    command.put("op", "trigger");
    command.putObject("app").put("id", app.id()).put("key", app.key()).put("secret", app.secret());
    command.put("port", port);
    command.put("channel", channel);
    command.put("event", event);
    command.set("data", data);
    return send(command);
  }

  /** {@code pusher.get({path, params})} with the npm server SDK: a signed GET. */
  JsonNode get(PusherApp app, int port, String path, ObjectNode params) {
    ObjectNode command = PusherSocket.JSON.createObjectNode();
    command.put("op", "get");
    command.putObject("app").put("id", app.id()).put("key", app.key()).put("secret", app.secret());
    command.put("port", port);
    command.put("path", path);
    command.set("params", params);
    return send(command);
  }

  private static ObjectNode command(String op, String page) {
    ObjectNode command = PusherSocket.JSON.createObjectNode();
    command.put("op", op);
    command.put("page", page);
    return command;
  }

  @Override
  public void close() throws Exception {
    commands.close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
