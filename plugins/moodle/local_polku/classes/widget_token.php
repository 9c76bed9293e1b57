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
 * Tokens that open Polku's learner widget (/ui/learner) for one user.
 *
 * A token is short-lived and signed with the tenant's widget secret
 * (`polku ui secret --tenant=T`), so the browser never sees an API key:
 *
 *   nonce = base64url(16 random bytes)
 *   input = "polku-ui-v2\n" . tenant . "\n" . learner key . "\n" . expiry . "\n" . nonce
 *   token = "v2." . tenant . "." . base64url(learner key) . "." . expiry . "." . nonce . "." .
 *           base64url(HMAC-SHA256(key = secret text, input))
 *
 * with base64url as in RFC 4648 section 5, without padding, and the expiry in
 * Unix seconds. The random nonce makes every token unique, so two tokens for
 * one learner within the same second differ. Polku (services/ui/ui_token.cc)
 * refuses a token that expired, lives longer than 600 seconds, or was used
 * before. Pure functions apart from the nonce; no Moodle API.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class widget_token {
    /** The longest lifetime Polku accepts, in seconds. */
    public const MAX_LIFETIME = 600;
    /** The shortest lifetime this plugin mints, in seconds. */
    public const MIN_LIFETIME = 30;
    /** Random bytes in a token's nonce. */
    public const NONCE_BYTES = 16;
    /** Default lifetime, in seconds. */
    public const DEFAULT_LIFETIME = 300;
    /** Display mode: no widget. */
    public const DISPLAY_OFF = 'off';
    /** Display mode: a link that opens the widget in a new window. */
    public const DISPLAY_LINK = 'link';
    /** Display mode: the widget in an iframe inside the block. */
    public const DISPLAY_EMBED = 'embed';

    /**
     * The exact bytes that are signed.
     *
     * @param string $tenant Polku tenant id
     * @param string $learner learner key
     * @param int $expiry Unix seconds
     * @param string $nonce the nonce's base64url text, as it appears in the token
     * @return string
     */
    public static function signing_input(string $tenant, string $learner, int $expiry, string $nonce): string {
        return "polku-ui-v2\n" . $tenant . "\n" . $learner . "\n" . $expiry . "\n" . $nonce;
    }

    /**
     * RFC 4648 section 5 base64url without padding.
     *
     * @param string $bytes
     * @return string
     */
    public static function base64url(string $bytes): string {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }

    /**
     * Whether a text is a Polku tenant id: 1-64 of a-z, 0-9, '-' and '_',
     * starting with a letter or digit.
     *
     * @param string $tenant
     * @return bool
     */
    public static function valid_tenant(string $tenant): bool {
        return preg_match('/^[a-z0-9][a-z0-9_-]{0,63}$/D', $tenant) === 1;
    }

    /**
     * Mints a token with a fresh random nonce.
     *
     * @param string $secret the tenant's widget secret, exactly as `polku ui secret` printed it
     * @param string $tenant Polku tenant id
     * @param string $learner learner key
     * @param int $expiry Unix seconds
     * @param string|null $nonce NONCE_BYTES raw bytes; only tests pass one (a nonce must never repeat)
     * @return string
     * @throws \InvalidArgumentException for a bad tenant id, an empty learner key, an empty secret or
     *         a nonce of another length
     */
    public static function mint(string $secret, string $tenant, string $learner, int $expiry,
            ?string $nonce = null): string {
        if (!self::valid_tenant($tenant)) {
            throw new \InvalidArgumentException('tenant: may hold only a-z, 0-9, \'-\' and \'_\'');
        }
        if ($learner === '') {
            throw new \InvalidArgumentException('learner: is required');
        }
        if ($secret === '') {
            throw new \InvalidArgumentException('secret: is empty');
        }
        if ($nonce === null) {
            $nonce = random_bytes(self::NONCE_BYTES);
        } else if (strlen($nonce) !== self::NONCE_BYTES) {
            throw new \InvalidArgumentException('nonce: must be ' . self::NONCE_BYTES . ' bytes');
        }
        $nonce = self::base64url($nonce);
        $signature = hash_hmac('sha256', self::signing_input($tenant, $learner, $expiry, $nonce), $secret, true);
        return 'v2.' . $tenant . '.' . self::base64url($learner) . '.' . $expiry . '.' . $nonce . '.' .
            self::base64url($signature);
    }

    /**
     * The widget's address for a token: <base>/ui/learner?token=T[&lang=L].
     *
     * @param string $baseurl Polku's public HTTP address, as the browser reaches it
     * @param string $token
     * @param string $lang "en" or "fi"; anything else leaves the choice to the browser's language
     * @return string
     */
    public static function widget_url(string $baseurl, string $token, string $lang = ''): string {
        $url = rtrim(trim($baseurl), '/') . '/ui/learner?token=' . rawurlencode($token);
        if ($lang === 'en' || $lang === 'fi') {
            $url .= '&lang=' . $lang;
        }
        return $url;
    }

    /**
     * The token lifetime from the setting: the default when unset, else
     * between MIN_LIFETIME and MAX_LIFETIME.
     *
     * @param mixed $setting
     * @return int seconds
     */
    public static function lifetime($setting): int {
        if ($setting === null || $setting === '' || !is_numeric($setting)) {
            return self::DEFAULT_LIFETIME;
        }
        return max(self::MIN_LIFETIME, min(self::MAX_LIFETIME, (int)$setting));
    }

    /**
     * Whether the settings are complete enough to open the widget.
     *
     * @param \stdClass|array $config local_polku settings (uiurl, uitenant, uisecret)
     * @return bool
     */
    public static function configured($config): bool {
        $config = (array)$config;
        return trim((string)($config['uiurl'] ?? '')) !== '' && self::valid_tenant((string)($config['uitenant'] ?? ''))
            && (string)($config['uisecret'] ?? '') !== '';
    }

    /**
     * How the block shows the widget: DISPLAY_OFF when the settings are incomplete.
     *
     * @param \stdClass|array $config local_polku settings
     * @return string one of the DISPLAY_ constants
     */
    public static function display_mode($config): string {
        if (!self::configured($config)) {
            return self::DISPLAY_OFF;
        }
        $mode = (string)(((array)$config)['uidisplay'] ?? self::DISPLAY_LINK);
        return in_array($mode, [self::DISPLAY_LINK, self::DISPLAY_EMBED], true) ? $mode : self::DISPLAY_OFF;
    }

    /**
     * The widget's address for a Moodle user, with a fresh token for the
     * learner key the plugin sends the user's events under.
     *
     * @param \stdClass|array $config local_polku settings (uiurl, uitenant, uisecret, uilifetime)
     * @param string $wwwroot the site's wwwroot
     * @param int $userid Moodle user id
     * @param string $lang "en" or "fi" (anything else: the browser's language)
     * @param int $now Unix seconds
     * @return array{url: string, expires: int}|null null when the widget is not configured
     */
    public static function for_user($config, string $wwwroot, int $userid, string $lang, int $now): ?array {
        if (!self::configured($config)) {
            return null;
        }
        $config = (array)$config;
        $expiry = $now + self::lifetime($config['uilifetime'] ?? null);
        $token = self::mint((string)$config['uisecret'], (string)$config['uitenant'],
            event_id::learner_key($wwwroot, $userid), $expiry);
        return ['url' => self::widget_url((string)$config['uiurl'], $token, $lang), 'expires' => $expiry];
    }
}
