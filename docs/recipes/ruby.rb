# Resume links in Ruby, with the standard library only. Ruby 2.7 or later.
require 'digest'
require 'uri'

# The seed's token: lowercase hex sha256(secret + "---" + entry_id + "---" + expires_at), over UTF-8.
def session_recovery_token(secret, entry_id, expires_at)
  Digest::SHA256.hexdigest("#{secret}---#{entry_id}---#{expires_at}".encode('UTF-8'))
end

# Your page's URL with the three parameters added, URL-encoded (+01:00 becomes %2B01%3A00), before any #fragment.
def resume_link(resume_url, token, entry_id, expires_at)
  base, hash, fragment = resume_url.partition('#')
  query = URI.encode_www_form([['token', token], ['entry_id', entry_id], ['expires_at', expires_at]])
  "#{base}#{base.include?('?') ? '&' : '?'}#{query}#{hash}#{fragment}"
end

# Example: a 7-day link.
#   expires_at = (Time.now.utc + 7 * 86_400).strftime('%Y-%m-%dT%H:%M:%S.%LZ')
#   url = resume_link('https://www.example.com/flow', session_recovery_token(ENV.fetch('TOKEN_SIGNING_SECRET'), entry_id, expires_at), entry_id, expires_at)

# How CI checks this file (test/recipes/recipes.test.ts): "v1<TAB>secret<TAB>entry_id<TAB>expires_at<TAB>resume_url" in, "token<TAB>url" out.
if __FILE__ == $PROGRAM_NAME
  $stdin.set_encoding('UTF-8')
  $stdin.each_line do |line|
    kind, secret, entry_id, expires_at, resume_url = line.chomp("\n").split("\t", -1)
    next unless kind == 'v1'
    token = session_recovery_token(secret, entry_id, expires_at)
    $stdout.write("#{token}\t#{resume_link(resume_url, token, entry_id, expires_at)}\n")
  end
end
