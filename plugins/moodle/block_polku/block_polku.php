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

/**
 * The Polku block: the learner's recommended next steps, loaded after the page.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class block_polku extends block_base {
    /**
     * Title.
     */
    public function init() {
        $this->title = get_string('pluginname', 'block_polku');
    }

    /**
     * Where the block may be added.
     *
     * @return array
     */
    public function applicable_formats() {
        return ['my' => true, 'course-view' => true, 'site-index' => false, 'mod' => false];
    }

    /**
     * An empty frame filled by AJAX (no call to Polku during the page load),
     * and Polku's learner widget as a link or an iframe when it is set up.
     * The widget's address is the block's widget.php, which makes a fresh
     * single-use token only when the learner opens it.
     *
     * @return stdClass
     */
    public function get_content() {
        global $OUTPUT;
        if ($this->content !== null) {
            return $this->content;
        }
        $this->content = new stdClass();
        $this->content->text = '';
        $this->content->footer = '';
        if (!isloggedin() || isguestuser()) {
            return $this->content;
        }
        $mode = \local_polku\widget_token::display_mode(get_config('local_polku'));
        if ($mode !== \local_polku\widget_token::DISPLAY_OFF &&
                !has_capability('block/polku:view', context_system::instance())) {
            $mode = \local_polku\widget_token::DISPLAY_OFF;
        }
        if ($mode !== \local_polku\widget_token::DISPLAY_EMBED && get_config('local_polku', 'endpoint')) {
            $courseid = $this->page->course->id ?? SITEID;
            $this->content->text .= $OUTPUT->render_from_template('block_polku/loading', ['courseid' => $courseid]);
            $this->page->requires->js_call_amd('block_polku/recommendations', 'init',
                ['[data-region="block_polku"]', (int)$courseid]);
        }
        if ($mode !== \local_polku\widget_token::DISPLAY_OFF) {
            $lang = current_language() === 'fi' ? 'fi' : 'en';
            $url = new moodle_url('/blocks/polku/widget.php', ['lang' => $lang]);
            $this->content->text .= $OUTPUT->render_from_template('block_polku/widget', [
                'url' => $url->out(false),
                'embed' => $mode === \local_polku\widget_token::DISPLAY_EMBED,
            ]);
        }
        return $this->content;
    }
}
