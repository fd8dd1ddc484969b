// Resume links in Java, with the JDK only. Java 17 or later; run as is with `java SessionRecovery.java`.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

public class SessionRecovery {
  /** The seed's token: lowercase hex sha256(secret + "---" + entryId + "---" + expiresAt), over UTF-8. */
  public static String token(String secret, String entryId, String expiresAt) throws NoSuchAlgorithmException {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest((secret + "---" + entryId + "---" + expiresAt).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest);
  }

  /** Your page's URL with the three parameters added, URL-encoded (+01:00 becomes %2B01%3A00), before any #fragment. */
  public static String resumeLink(String resumeUrl, String token, String entryId, String expiresAt) {
    int hash = resumeUrl.indexOf('#');
    String base = hash < 0 ? resumeUrl : resumeUrl.substring(0, hash);
    String fragment = hash < 0 ? "" : resumeUrl.substring(hash);
    return base + (base.contains("?") ? "&" : "?")
        + "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
        + "&entry_id=" + URLEncoder.encode(entryId, StandardCharsets.UTF_8)
        + "&expires_at=" + URLEncoder.encode(expiresAt, StandardCharsets.UTF_8)
        + fragment;
  }

  // Example: a 7-day link.
  //   String expiresAt = java.time.Instant.now().plus(java.time.Duration.ofDays(7)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
  //   String url = resumeLink("https://www.example.com/flow", token(System.getenv("TOKEN_SIGNING_SECRET"), entryId, expiresAt), entryId, expiresAt);

  /** How CI checks this file (test/recipes/recipes.test.ts): "v1 secret entry_id expires_at resume_url" lines (tab-separated) in, "token url" out. */
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] f = line.split("\t", -1);
      if (f.length != 5 || !f[0].equals("v1")) continue;
      String token = token(f[1], f[2], f[3]);
      out.print(token + "\t" + resumeLink(f[4], token, f[2], f[3]) + "\n");
    }
  }
}
