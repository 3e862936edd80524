package dev.realtime.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Reads the properties-file layer: an explicit file, or {@code realtime.properties}. */
final class PropertiesFiles {
  static final String CLASSPATH_NAME = "realtime.properties";
  static final String CLASSPATH_SOURCE = "classpath " + CLASSPATH_NAME;

  private PropertiesFiles() {}

  /**
   * Reads an explicit file, as UTF-8.
   *
   * @throws ConfigurationException if it is missing, unreadable, not UTF-8 or malformed
   */
  static Layer read(Path file) {
    Path path = file.toAbsolutePath().normalize();
    String source = "properties file " + path;
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return load(reader, source);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigurationException("Cannot read properties file " + path + " (" + describe(e)
          + "). Check that the file exists, is readable and is UTF-8 properties, or do not pass it"
          + " to RealtimeConfig.Builder.propertiesFile().", e);
    }
  }

  /**
   * Reads {@code realtime.properties} from the thread's context class loader, which sees the
   * application's resources in containers, else from the loader of this library.
   *
   * @return {@link Layer#EMPTY} if there is none
   * @throws ConfigurationException if it exists but cannot be read or is malformed
   */
  static Layer readClasspath() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    URL url = context == null ? null : context.getResource(CLASSPATH_NAME);
    if (url == null) {
      ClassLoader own = RealtimeConfig.class.getClassLoader();
      url = own == null ? null : own.getResource(CLASSPATH_NAME);
    }
    if (url == null) {
      return Layer.EMPTY;
    }
    try (InputStream in = url.openStream();
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder())) {
      return load(reader, CLASSPATH_SOURCE);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigurationException("Cannot read " + CLASSPATH_NAME + " at " + url + " ("
          + describe(e) + "). Fix the file: it must be UTF-8 properties.", e);
    }
  }

  private static Layer load(Reader reader, String source) throws IOException {
    Properties properties = new Properties();
    properties.load(reader);
    List<Setting> settings = new ArrayList<>();
    for (String key : properties.stringPropertyNames()) {
      settings.add(Setting.of(key, properties.getProperty(key), source));
    }
    return Layer.of(settings, source);
  }

  private static String describe(Exception e) {
    return e.getMessage() == null
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
