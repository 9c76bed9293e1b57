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
 * Tests of learner widget tokens: the format against a known vector, and the
 * widget address made from the plugin's settings.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \local_polku\widget_token
 */
final class widget_token_test extends \basic_testcase {
    /** A secret as `polku ui secret` prints it (64 hex digits). */
    private const SECRET = '9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4b6d8f0a1c3e5b7d9f';

    /**
     * The vector was computed outside PHP (openssl dgst -sha256 -hmac SECRET
     * over the signing input); its signature holds '+', '/' and padding in
     * plain base64, so the base64url form is checked too.
     */
    public function test_token_matches_the_known_vector(): void {
        $this->assertSame("polku-ui-v1\nacme\nmoodle.example.edu#42\n1767225600",
            widget_token::signing_input('acme', 'moodle.example.edu#42', 1767225600));
        $this->assertSame('v1.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.1767225600.' .
            'RMpWrpW5l5_-bGLebr_Dt3xemA8HlPhRlMhBVNKG_s8',
            widget_token::mint(self::SECRET, 'acme', 'moodle.example.edu#42', 1767225600));
        $this->assertSame('v1.moodle-test.bG1zLmV4YW1wbGUub3JnL21vb2RsZSM3.1767225600.' .
            '1toiW0F6s82jPyFww0HNEpdmn-6H2h1L-0t0F2k2Y5k',
            widget_token::mint(self::SECRET, 'moodle-test', 'lms.example.org/moodle#7', 1767225600));
    }

    public function test_base64url_has_no_padding_and_url_safe_letters(): void {
        $this->assertSame('bG1zLmV4YW1wbGUuZWR1Izk', widget_token::base64url('lms.example.edu#9'));
        $this->assertSame('-_8', widget_token::base64url("\xfb\xff"));
        $this->assertSame('', widget_token::base64url(''));
    }

    public function test_bad_input_is_refused(): void {
        foreach ([['Acme', 'l#1', self::SECRET], ['-acme', 'l#1', self::SECRET], ['', 'l#1', self::SECRET],
                ['acme.b', 'l#1', self::SECRET], [str_repeat('a', 65), 'l#1', self::SECRET],
                ['acme', '', self::SECRET], ['acme', 'l#1', '']] as [$tenant, $learner, $secret]) {
            try {
                widget_token::mint($secret, $tenant, $learner, 1767225600);
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
        $this->assertSame(1300, widget_token::expiry(1000, 300));
        $this->assertSame(1300, widget_token::expiry(1000, 300, 1299));
        $this->assertSame(1301, widget_token::expiry(1000, 300, 1300));
        $this->assertSame(1601, widget_token::expiry(1000, 600, 1600));
        $this->assertSame(1615, widget_token::expiry(1000, 600, 1614));
        // Beyond what Polku tolerates: not bumped (that token is then refused as used).
        $this->assertSame(1600, widget_token::expiry(1000, 600, 1615));
        $config = ['uiurl' => 'https://polku.example.edu', 'uitenant' => 'acme', 'uisecret' => self::SECRET];
        $first = widget_token::for_user($config, 'https://moodle.example.edu', 42, 'en', 1000);
        $second = widget_token::for_user($config, 'https://moodle.example.edu', 42, 'en', 1000, $first['expires']);
        $this->assertSame($first['expires'] + 1, $second['expires']);
        $this->assertNotSame($first['url'], $second['url']);
    }

    public function test_widget_url_for_a_user_uses_the_forwarding_learner_key(): void {
        $config = (object)['uiurl' => ' https://polku.example.edu/ ', 'uitenant' => 'acme', 'uisecret' => self::SECRET,
            'uilifetime' => '120'];
        $widget = widget_token::for_user($config, 'https://Moodle.Example.edu/', 42, 'fi', 1767225480);
        $this->assertSame(1767225600, $widget['expires']);
        $this->assertSame('https://polku.example.edu/ui/learner?token=' .
            widget_token::mint(self::SECRET, 'acme', event_id::learner_key('https://Moodle.Example.edu/', 42),
                1767225600) . '&lang=fi', $widget['url']);
        // The same bytes as the known vector: the key is moodle.example.edu#42.
        $this->assertSame('https://polku.example.edu/ui/learner?token=v1.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.' .
            '1767225600.RMpWrpW5l5_-bGLebr_Dt3xemA8HlPhRlMhBVNKG_s8&lang=fi', $widget['url']);

        $nolang = widget_token::for_user($config, 'https://moodle.example.edu', 42, 'sv', 1767225480);
        $this->assertStringEndsWith('.RMpWrpW5l5_-bGLebr_Dt3xemA8HlPhRlMhBVNKG_s8', $nolang['url']);
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
