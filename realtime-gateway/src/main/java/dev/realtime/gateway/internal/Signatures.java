package dev.realtime.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Pusher protocol's two digests: HMAC-SHA256 in lower-case hex (subscription auth, HTTP API
 * signatures) and MD5 in hex (the HTTP API's {@code body_md5}).
 *
 * <p>Signatures are compared with {@link MessageDigest#isEqual}, whose time does not depend on
 * where the first difference is, so a client cannot find a valid signature byte by byte by timing
 * refusals.
 */
public final class Signatures {
  private Signatures() {}

  /** HMAC-SHA256 of {@code text} with {@code secret}, in lower-case hex. */
  public static String hmacSha256Hex(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM has no HmacSHA256, which every Java SE has", e);
    }
  }

  /** MD5 of {@code bytes}, in lower-case hex. */
  public static String md5Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM has no MD5, which every Java SE has", e);
    }
  }

  /** Whether {@code given} is {@code expected}, in a time that does not tell where they differ. */
  public static boolean matches(String expected, String given) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}
