package dev.realtime.testkit.env;

import dev.realtime.internal.UriCredentials;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A broker's URI, split so that the host and port can be swapped for the fault proxy's while
 * everything else (credentials, database, vhost, query) stays as the user wrote it. Its {@link
 * #toString()} masks the password, so it can go into any message.
 */
final class BrokerUri {
  static final String MASK = UriCredentials.MASK;

  private final String text;
  private final String scheme;
  private final String rawUserInfo;
  private final String host;
  private final int port;
  /** Path, query and fragment, still percent-encoded. */
  private final String rawRest;

  private BrokerUri(String text, URI uri, int port) {
    this.text = text;
    this.scheme = uri.getScheme();
    this.rawUserInfo = uri.getRawUserInfo();
    this.host = uri.getHost();
    this.port = port;
    this.rawRest = (uri.getRawPath() == null ? "" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
        + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
  }

  /**
   * Parses a URI of {@code kind}'s scheme with a host.
   *
   * @param source where the text came from, for the message, such as {@code from
   *     REALTIME_TEST_REDIS_URI}
   * @throws IllegalArgumentException naming the problem and the expected form; never showing the
   *     text itself, since a malformed URI cannot be trusted to be masked right
   */
  static BrokerUri parse(String text, BrokerKind kind, String source) {
    String problem;
    URI uri = null;
    try {
      uri = new URI(text.strip());
      problem = problem(uri, kind);
    } catch (URISyntaxException e) {
      // getReason() leaves out the input, which may hold a password.
      problem = "is not a URI (" + e.getReason() + " at index " + e.getIndex() + ")";
    }
    if (problem != null) {
      throw new IllegalArgumentException("The " + kind.name() + " URI " + source + " " + problem
          + "; write it as " + kind.form() + ".");
    }
    int port = uri.getPort() == -1 ? kind.defaultPort() : uri.getPort();
    return new BrokerUri(text.strip(), uri, port);
  }

  private static String problem(URI uri, BrokerKind kind) {
    String scheme = uri.getScheme();
    if (scheme == null) {
      return "has no scheme";
    }
    if (scheme.equalsIgnoreCase(kind.scheme() + "s")) {
      return "uses TLS (" + scheme + "), which the testkit's reachability check does not speak";
    }
    if (!scheme.equalsIgnoreCase(kind.scheme())) {
      return "has scheme " + scheme + " instead of " + kind.scheme();
    }
    if (uri.getHost() == null) {
      return "has no host (percent-encode any @, : or / in the user name and password)";
    }
    return null;
  }


  String host() {
    return host;
  }

  int port() {
    return port;
  }

  /** The user name, decoded; empty when the URI names none. */
  String user() {
    int colon = rawUserInfo == null ? -1 : rawUserInfo.indexOf(':');
    return colon < 0 ? "" : decode(rawUserInfo.substring(0, colon));
  }

  /**
   * The password, decoded; empty when the URI has none. A userinfo without a colon is a
   * password, as Redis clients read it.
   */
  String password() {
    if (rawUserInfo == null) {
      return "";
    }
    int colon = rawUserInfo.indexOf(':');
    return decode(colon < 0 ? rawUserInfo : rawUserInfo.substring(colon + 1));
  }

  /** The path, still percent-encoded, such as {@code /2} (a Redis database); empty if none. */
  String path() {
    int end = rawRest.length();
    for (char stop : new char[] {'?', '#'}) {
      int at = rawRest.indexOf(stop);
      end = at >= 0 ? Math.min(end, at) : end;
    }
    return rawRest.substring(0, end);
  }

  /** The same URI with another host and port: credentials, path and query unchanged. */
  String at(String otherHost, int otherPort) {
    return scheme + "://" + (rawUserInfo == null ? "" : rawUserInfo + "@") + otherHost + ":"
        + otherPort + rawRest;
  }

  /** The URI as written, with the password masked. */
  @Override
  public String toString() {
    return UriCredentials.mask(text);
  }

  /** Percent-decodes; split first, so that an encoded colon stays part of its name. */
  private static String decode(String raw) {
    // URLDecoder is for forms, where + means a space; in a URI it is a plus.
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
