<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

namespace local_polku;

/**
 * Tests of learner widget tokens: the format against known vectors (with the
 * nonce injected), a fresh nonce per token, and the widget address made from
 * the plugin's settings.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \local_polku\widget_token
 */
final class widget_token_test extends \basic_testcase {
    /** A secret as `polku ui secret` prints it (64 hex digits). */
    private const SECRET = '9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4b6d8f0a1c3e5b7d9f';

    /** Nonce bytes 00 01 .. 0f, injected so that the vectors are fixed. */
    private const NONCE = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f";

    /**
     * The vectors were computed outside PHP (openssl dgst -sha256 -hmac SECRET
     * over the signing input) and are shared with Polku's and the Open edX
     * adapter's tests; one nonce and signature hold '+', '/' and padding in
     * plain base64, so the base64url form is checked too.
     */
    public function test_token_matches_the_known_vector(): void {
        $this->assertSame('AAECAwQFBgcICQoLDA0ODw', widget_token::base64url(self::NONCE));
        $this->assertSame("polku-ui-v2\nacme\nmoodle.example.edu#42\n1767225600\nAAECAwQFBgcICQoLDA0ODw",
            widget_token::signing_input('acme', 'moodle.example.edu#42', 1767225600, 'AAECAwQFBgcICQoLDA0ODw'));
        $this->assertSame('v2.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.1767225600.AAECAwQFBgcICQoLDA0ODw.' .
            'AxKdMF5p5zb2q6zqrjA16tNVTJTuOsEda8X41JKLPzY',
            widget_token::mint(self::SECRET, 'acme', 'moodle.example.edu#42', 1767225600, self::NONCE));
        $this->assertSame('v2.moodle-test.bG1zLmV4YW1wbGUub3JnL21vb2RsZSM3.1767225600.AAECAwQFBgcICQoLDA0ODw.' .
            'VmzDuBEAgR3fJhzl4qjBslc96SVviz1MbXJnXGpK-2k',
            widget_token::mint(self::SECRET, 'moodle-test', 'lms.example.org/moodle#7', 1767225600, self::NONCE));
        // Nonce bytes ff fe .. f0.
        $this->assertSame('v2.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.1767225600.__79_Pv6-fj39vX08_Lx8A.' .
            'qp_JqT7tBp3LjZyPE-tsVMREa6ylBHF7j_m6HD67HoA',
            widget_token::mint(self::SECRET, 'acme', 'moodle.example.edu#42', 1767225600,
                hex2bin('fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0')));
    }

    /**
     * The parts of a token: [version, tenant, learner key, expiry, nonce bytes, signature].
     *
     * @param string $token
     * @return array
     */
    private function parts(string $token): array {
        $parts = explode('.', $token);
        $this->assertCount(6, $parts, $token);
        $this->assertSame('v2', $parts[0]);
        $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]{22}$/D', $parts[4]);
        $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]{43}$/D', $parts[5]);
        $nonce = base64_decode(strtr($parts[4], '-_', '+/') . '==', true);
        $this->assertSame(widget_token::NONCE_BYTES, strlen($nonce));
        return [$parts[0], $parts[1], base64_decode(strtr($parts[2], '-_', '+/'), true), (int)$parts[3], $nonce,
            $parts[5]];
    }

    public function test_every_token_has_its_own_random_nonce(): void {
        $first = widget_token::mint(self::SECRET, 'acme', 'moodle.example.edu#42', 1767225600);
        $second = widget_token::mint(self::SECRET, 'acme', 'moodle.example.edu#42', 1767225600);
        $this->assertNotSame($first, $second);
        [, , $learner, $expiry, $nonce] = $this->parts($first);
        $this->assertSame(['moodle.example.edu#42', 1767225600], [$learner, $expiry]);
        $this->assertNotSame($nonce, $this->parts($second)[4]);
        // The signature covers the nonce the token carries.
        $this->assertSame($first, widget_token::mint(self::SECRET, 'acme', 'moodle.example.edu#42', 1767225600, $nonce));
    }

    public function test_base64url_has_no_padding_and_url_safe_letters(): void {
        $this->assertSame('bG1zLmV4YW1wbGUuZWR1Izk', widget_token::base64url('lms.example.edu#9'));
        $this->assertSame('-_8', widget_token::base64url("\xfb\xff"));
        $this->assertSame('', widget_token::base64url(''));
    }

    public function test_bad_input_is_refused(): void {
        foreach ([['Acme', 'l#1', self::SECRET], ['-acme', 'l#1', self::SECRET], ['', 'l#1', self::SECRET],
                ['acme.b', 'l#1', self::SECRET], [str_repeat('a', 65), 'l#1', self::SECRET],
                ['acme', '', self::SECRET], ['acme', 'l#1', ''], ['acme', 'l#1', self::SECRET, 'short'],
                ['acme', 'l#1', self::SECRET, self::NONCE . 'x']] as $case) {
            [$tenant, $learner, $secret] = $case;
            try {
                widget_token::mint($secret, $tenant, $learner, 1767225600, $case[3] ?? null);
                $this->fail("minted for tenant '$tenant', learner '$learner'");
            } catch (\InvalidArgumentException $e) {
                $this->assertNotSame('', $e->getMessage());
            }
        }
        $this->assertTrue(widget_token::valid_tenant(str_repeat('a', 64)));
        $this->assertTrue(widget_token::valid_tenant('0_a-b'));
        $this->assertFalse(widget_token::valid_tenant("acme\n"));
    }

    public function test_lifetime_stays_within_what_polku_accepts(): void {
        $this->assertSame(300, widget_token::lifetime(null));
        $this->assertSame(300, widget_token::lifetime(''));
        $this->assertSame(300, widget_token::lifetime('five minutes'));
        $this->assertSame(120, widget_token::lifetime('120'));
        $this->assertSame(600, widget_token::lifetime(3600));
        $this->assertSame(30, widget_token::lifetime(0));
        $this->assertSame(30, widget_token::lifetime(-5));
    }

    public function test_two_tokens_within_a_second_differ(): void {
        // No state between openings: the nonce alone tells the tokens apart.
        $config = ['uiurl' => 'https://polku.example.edu', 'uitenant' => 'acme', 'uisecret' => self::SECRET];
        $first = widget_token::for_user($config, 'https://moodle.example.edu', 42, 'en', 1000);
        $second = widget_token::for_user($config, 'https://moodle.example.edu', 42, 'en', 1000);
        $this->assertSame(1300, $first['expires']);
        $this->assertSame($first['expires'], $second['expires']);
        $this->assertNotSame($first['url'], $second['url']);
    }

    public function test_widget_url_for_a_user_uses_the_forwarding_learner_key(): void {
        $config = (object)['uiurl' => ' https://polku.example.edu/ ', 'uitenant' => 'acme', 'uisecret' => self::SECRET,
            'uilifetime' => '120'];
        $widget = widget_token::for_user($config, 'https://Moodle.Example.edu/', 42, 'fi', 1767225480);
        $this->assertSame(1767225600, $widget['expires']);
        $this->assertMatchesRegularExpression('~^https://polku\.example\.edu/ui/learner\?token=([^&]+)&lang=fi$~D',
            $widget['url']);
        preg_match('~token=([^&]+)~', $widget['url'], $m);
        $token = rawurldecode($m[1]);
        // The key is moodle.example.edu#42, and the token is the one mint()
        // makes with its nonce (with the known vector's nonce, the vector).
        [, $tenant, $learner, $expiry, $nonce] = $this->parts($token);
        $this->assertSame(['acme', 'moodle.example.edu#42', 1767225600], [$tenant, $learner, $expiry]);
        $this->assertSame(event_id::learner_key('https://Moodle.Example.edu/', 42), $learner);
        $this->assertSame($token, widget_token::mint(self::SECRET, 'acme', $learner, $expiry, $nonce));
        $this->assertSame('https://polku.example.edu/ui/learner?token=v2.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.' .
            '1767225600.AAECAwQFBgcICQoLDA0ODw.AxKdMF5p5zb2q6zqrjA16tNVTJTuOsEda8X41JKLPzY&lang=fi',
            widget_token::widget_url(' https://polku.example.edu/ ',
                widget_token::mint(self::SECRET, 'acme', $learner, $expiry, self::NONCE), 'fi'));

        $nolang = widget_token::for_user($config, 'https://moodle.example.edu', 42, 'sv', 1767225480);
        $this->assertMatchesRegularExpression('~\?token=v2\.acme\.bW9vZGxlLmV4YW1wbGUuZWR1IzQy\.1767225600\.' .
            '[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$~D', $nolang['url']);
        $long = widget_token::for_user(['uilifetime' => 99999] + (array)$config, 'https://moodle.example.edu', 42, 'en', 1000);
        $this->assertSame(1600, $long['expires']);
    }

    public function test_display_mode_needs_complete_settings(): void {
        $complete = ['uiurl' => 'https://polku.example.edu', 'uitenant' => 'acme', 'uisecret' => self::SECRET];
        $this->assertSame(widget_token::DISPLAY_LINK, widget_token::display_mode($complete));
        $this->assertSame(widget_token::DISPLAY_EMBED, widget_token::display_mode(['uidisplay' => 'embed'] + $complete));
        $this->assertSame(widget_token::DISPLAY_OFF, widget_token::display_mode(['uidisplay' => 'off'] + $complete));
        $this->assertSame(widget_token::DISPLAY_OFF, widget_token::display_mode(['uidisplay' => 'popup'] + $complete));
        foreach (['uiurl', 'uitenant', 'uisecret'] as $missing) {
            $config = $complete;
            $config[$missing] = '';
            $this->assertSame(widget_token::DISPLAY_OFF, widget_token::display_mode((object)$config), $missing);
            $this->assertNull(widget_token::for_user($config, 'https://moodle.example.edu', 42, 'en', 1000), $missing);
        }
        $this->assertSame(widget_token::DISPLAY_OFF, widget_token::display_mode(['uitenant' => 'ACME'] + $complete));
        $this->assertSame(widget_token::DISPLAY_OFF, widget_token::display_mode(new \stdClass()));
    }
}
