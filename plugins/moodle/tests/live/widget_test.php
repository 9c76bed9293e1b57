<?php
// Test-only: learner widget tokens minted by local_polku\widget_token
// against a real polku-server whose ui_tenants.json holds the tenant's
// secret (made with `polku ui secret`) and Moodle's origin as a frame
// ancestor (`polku ui frame-ancestors`).

use local_polku\event_id;
use local_polku\widget_token;

/**
 * The widget accepts the plugin's tokens for the learner the plugin forwards
 * events for, and refuses used, forged and expired ones.
 *
 * @covers \local_polku\widget_token
 */
final class widget_test extends polku_live_testcase {
    /** The tenant of the harness's API key. */
    private const TENANT = 'moodle-test';
    /** @var string the tenant's widget secret */
    private static $secret;

    public static function setUpBeforeClass(): void {
        parent::setUpBeforeClass();
        // Written while the server is down, so it reads them at start.
        self::$server->stop();
        self::$secret = self::$server->ui('secret', '--tenant=' . self::TENANT);
        self::$server->ui('frame-ancestors', '--tenant=' . self::TENANT, '--origins=' . self::WWWROOT);
        self::$server->start();
    }

    /**
     * The plugin's widget settings, pointed at the live server.
     *
     * @param array $overrides
     * @return stdClass
     */
    private function config(array $overrides = []): stdClass {
        return (object)($overrides + ['uiurl' => self::$server->endpoint() . '/', 'uitenant' => self::TENANT,
            'uisecret' => self::$secret, 'uilifetime' => 300, 'uidisplay' => widget_token::DISPLAY_EMBED]);
    }

    /**
     * One HTTP request without following redirects.
     *
     * @param string $method
     * @param string $url absolute, or a path on the server
     * @param string[] $headers
     * @param string|null $body
     * @return array ['status' => int, 'headers' => [lowercase name => string[]], 'body' => string]
     */
    private function http(string $method, string $url, array $headers = [], ?string $body = null): array {
        if ($url[0] === '/') {
            $url = self::$server->endpoint() . $url;
        }
        $received = [];
        $ch = curl_init($url);
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT => 10,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_HEADERFUNCTION => static function($ch, string $line) use (&$received): int {
                $colon = strpos($line, ':');
                if ($colon !== false) {
                    $received[strtolower(trim(substr($line, 0, $colon)))][] = trim(substr($line, $colon + 1));
                }
                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        }
        $text = curl_exec($ch);
        $this->assertIsString($text, curl_error($ch));
        $status = (int)curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return ['status' => $status, 'headers' => $received, 'body' => $text];
    }

    /**
     * Opens the widget with the URL and returns the session cookie ("name=value").
     *
     * @param string $url
     * @param string $lang the lang the redirect should keep
     * @return string
     */
    private function open(string $url, string $lang): string {
        $r = $this->http('GET', $url);
        $this->assertSame(303, $r['status'], $r['body']);
        $this->assertSame(['/ui/learner?lang=' . $lang], $r['headers']['location']);
        $cookie = $r['headers']['set-cookie'][0] ?? '';
        $this->assertMatchesRegularExpression('/^polku_ui_learner=[^;]+; Path=\/ui\/learner;.*HttpOnly/', $cookie);
        $this->assertStringContainsString('frame-ancestors ' . self::WWWROOT,
            implode(' ', $r['headers']['content-security-policy']));
        return substr($cookie, 0, strpos($cookie, ';'));
    }

    public function test_token_opens_a_session_for_the_learner_the_plugin_forwards_for(): void {
        $widget = widget_token::for_user($this->config(), self::WWWROOT, 42, 'fi', time());
        $this->assertStringStartsWith(self::$server->endpoint() . '/ui/learner?token=v2.moodle-test.', $widget['url']);
        $cookie = $this->open($widget['url'], 'fi');

        $page = $this->http('GET', '/ui/learner?lang=fi', ['Cookie: ' . $cookie]);
        $this->assertSame(200, $page['status'], $page['body']);
        $this->assertStringContainsString('<html lang="fi"', $page['body']);
        $this->assertMatchesRegularExpression('/<meta name="polku-csrf" content="([^"]+)"/', $page['body']);
        preg_match('/<meta name="polku-csrf" content="([^"]+)"/', $page['body'], $m);
        $this->assertSame(200, $this->http('GET', '/ui/learner/data', ['Cookie: ' . $cookie])['status']);

        // The widget's opt-out reaches the learner key the plugin uses for user 42, and no other.
        $put = $this->http('PUT', '/ui/learner/profiling',
            ['Cookie: ' . $cookie, 'X-Polku-Csrf: ' . $m[1], 'Content-Type: application/json'], '{"opted_out": true}');
        $this->assertSame(200, $put['status'], $put['body']);
        $api = $this->api();
        $this->assertTrue($api->get_profile(event_id::learner_key(self::WWWROOT, 42), 'en')['optedOut'] ?? false);
        $this->assertFalse($api->get_profile(event_id::learner_key(self::WWWROOT, 43), 'en')['optedOut'] ?? false);
        $this->assertFalse($api->set_profiling_opt_out(event_id::learner_key(self::WWWROOT, 42), false));
    }

    public function test_a_token_works_once_at_the_longest_lifetime(): void {
        $widget = widget_token::for_user($this->config(['uilifetime' => 99999]), self::WWWROOT, 7, 'en', time());
        $this->assertEqualsWithDelta(time() + widget_token::MAX_LIFETIME, $widget['expires'], 1);
        $this->open($widget['url'], 'en');
        $again = $this->http('GET', $widget['url']);
        $this->assertSame(401, $again['status']);
        $this->assertStringContainsString('already used', $again['body']);
        $this->assertArrayNotHasKey('set-cookie', $again['headers']);
    }

    public function test_two_tokens_in_the_same_second_differ_and_each_works_once(): void {
        // A double click, or a quick reload of a page that frames the widget:
        // two tokens for one learner within the same second, same expiry.
        $now = time();
        $first = widget_token::for_user($this->config(), self::WWWROOT, 8, 'en', $now);
        $second = widget_token::for_user($this->config(), self::WWWROOT, 8, 'en', $now);
        $this->assertSame($first['expires'], $second['expires']);
        $this->assertNotSame($first['url'], $second['url']);
        $this->open($first['url'], 'en');
        $this->open($second['url'], 'en');
        foreach ([$first, $second] as $widget) {
            $again = $this->http('GET', $widget['url']);
            $this->assertSame(401, $again['status']);
            $this->assertStringContainsString('already used', $again['body']);
        }
    }

    public function test_a_v1_token_of_an_earlier_release_still_works_once(): void {
        // Until every adapter is upgraded, Polku accepts the nonce-less v1 format.
        $learner = event_id::learner_key(self::WWWROOT, 9);
        $expiry = time() + 120;
        $input = "polku-ui-v1\n" . self::TENANT . "\n" . $learner . "\n" . $expiry;
        $token = 'v1.' . self::TENANT . '.' . widget_token::base64url($learner) . '.' . $expiry . '.' .
            widget_token::base64url(hash_hmac('sha256', $input, self::$secret, true));
        $url = widget_token::widget_url(self::$server->endpoint(), $token, 'en');
        $this->open($url, 'en');
        $this->assertStringContainsString('already used', $this->http('GET', $url)['body']);
    }

    public function test_a_malformed_nonce_is_refused(): void {
        $widget = widget_token::for_user($this->config(), self::WWWROOT, 42, 'en', time());
        $url = preg_replace('/\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})&/', '.$1x.$2&', $widget['url'], 1, $count);
        $this->assertSame(1, $count, $widget['url']);
        $r = $this->http('GET', $url);
        $this->assertSame(401, $r['status']);
        $this->assertStringContainsString('bad nonce', $r['body']);
        $this->assertArrayNotHasKey('set-cookie', $r['headers']);
    }

    public function test_a_token_signed_with_another_secret_is_refused(): void {
        $forged = widget_token::for_user($this->config(['uisecret' => str_repeat('0', 64)]), self::WWWROOT, 42, 'en',
            time());
        $r = $this->http('GET', $forged['url']);
        $this->assertSame(401, $r['status']);
        $this->assertStringContainsString('the signature does not match', $r['body']);
        $this->assertArrayNotHasKey('set-cookie', $r['headers']);
        // Another tenant's name under this tenant's secret: refused too.
        $other = widget_token::for_user($this->config(['uitenant' => 'someone-else']), self::WWWROOT, 42, 'en', time());
        $this->assertSame(401, $this->http('GET', $other['url'])['status']);
    }

    public function test_an_expired_token_is_refused(): void {
        // Expired 70 s ago: beyond the 30 s clock skew Polku allows.
        $old = widget_token::for_user($this->config(['uilifetime' => 30]), self::WWWROOT, 42, 'en', time() - 100);
        $r = $this->http('GET', $old['url']);
        $this->assertSame(401, $r['status']);
        $this->assertStringContainsString('expired', $r['body']);
        $this->assertArrayNotHasKey('set-cookie', $r['headers']);
    }

    public function test_plugin_mints_the_token_polku_ui_token_mints(): void {
        // Both draw a random nonce: with the CLI's nonce injected, the plugin
        // makes the very same token, and both verify.
        $learner = event_id::learner_key(self::WWWROOT, 42);
        $cli = self::$server->ui('token', '--tenant=' . self::TENANT, '--learner=' . $learner, '--ttl=120');
        $parts = explode('.', $cli);
        $this->assertCount(6, $parts, $cli);
        $this->assertSame(['v2', self::TENANT, widget_token::base64url($learner)], array_slice($parts, 0, 3));
        $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]{22}$/D', $parts[4]);
        $nonce = base64_decode(strtr($parts[4], '-_', '+/'), true);
        $this->assertSame(widget_token::NONCE_BYTES, strlen($nonce));
        $this->assertSame($cli, widget_token::mint(self::$secret, self::TENANT, $learner, (int)$parts[3], $nonce));
        $url = self::$server->ui('token', '--tenant=' . self::TENANT, '--learner=' . $learner,
            '--base_url=https://polku.example.edu/');
        $pattern = '/\.(\d+)\.([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}$/';
        $this->assertMatchesRegularExpression($pattern, $url);
        preg_match($pattern, $url, $m);
        $this->assertNotSame($parts[4], $m[2]);
        $this->assertSame($url, widget_token::widget_url('https://polku.example.edu/',
            widget_token::mint(self::$secret, self::TENANT, $learner, (int)$m[1],
                base64_decode(strtr($m[2], '-_', '+/'), true))));
        // The CLI's token and the plugin's own (its own nonce) are each accepted.
        $this->open(widget_token::widget_url(self::$server->endpoint(), $cli, 'en'), 'en');
        $this->open(widget_token::for_user($this->config(), self::WWWROOT, 42, 'en', time())['url'], 'en');
    }
}
