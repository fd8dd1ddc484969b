// Resume links in C#, with the base class library only. .NET 6 or later (HashData, ToHexString).
// Not run in CI: .NET is not in Debian's main archive. `dotnet run SessionRecovery.cs` runs it on .NET 10.
using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;

public static class SessionRecovery
{
    /// <summary>The seed's token: lowercase hex sha256(secret + "---" + entryId + "---" + expiresAt), over UTF-8.</summary>
    public static string Token(string secret, string entryId, string expiresAt) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{secret}---{entryId}---{expiresAt}"))).ToLowerInvariant();

    /// <summary>Your page's URL with the three parameters added, URL-encoded (+01:00 becomes %2B01%3A00), before any #fragment.</summary>
    public static string ResumeLink(string resumeUrl, string token, string entryId, string expiresAt)
    {
        var hash = resumeUrl.IndexOf('#');
        var baseUrl = hash < 0 ? resumeUrl : resumeUrl[..hash];
        var fragment = hash < 0 ? "" : resumeUrl[hash..];
        return baseUrl + (baseUrl.Contains('?') ? "&" : "?")
            + "token=" + Uri.EscapeDataString(token)
            + "&entry_id=" + Uri.EscapeDataString(entryId)
            + "&expires_at=" + Uri.EscapeDataString(expiresAt)
            + fragment;
    }

    // Example: a 7-day link.
    //   var expiresAt = DateTime.UtcNow.AddDays(7).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
    //   var url = ResumeLink("https://www.example.com/flow", Token(Environment.GetEnvironmentVariable("TOKEN_SIGNING_SECRET"), entryId, expiresAt), entryId, expiresAt);

    // How test/recipes/recipes.test.ts checks it where dotnet exists: "v1<TAB>secret<TAB>entry_id<TAB>expires_at<TAB>resume_url" in, "token<TAB>url" out.
    public static void Main()
    {
        using var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
        using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
        for (var line = input.ReadLine(); line != null; line = input.ReadLine())
        {
            var f = line.Split('\t');
            if (f.Length != 5 || f[0] != "v1") continue;
            var token = Token(f[1], f[2], f[3]);
            output.Write($"{token}\t{ResumeLink(f[4], token, f[2], f[3])}\n");
        }
    }
}
