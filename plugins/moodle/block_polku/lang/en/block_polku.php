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
 * English strings of block_polku.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['accept'] = 'Accept';
$string['balancelabel'] = 'Self-directed {$a->self} %, structured {$a->structured} %.';
$string['dismiss'] = 'Dismiss';
$string['inband'] = 'A good balance.';
$string['kind:apply_at_work'] = 'Apply it at work';
$string['kind:choose_your_next_step'] = 'Choose your next step';
$string['kind:complete_required'] = 'Complete required training';
$string['kind:continue_path'] = 'Continue your path';
$string['kind:explore_future_skill'] = 'Explore a future skill';
$string['kind:other'] = 'Suggested next step';
$string['kind:reflect'] = 'Reflect on what you learned';
$string['kind:share_with_community'] = 'Share with others';
$string['kind:turn_course_into_path'] = 'Turn the course into a path';
$string['loading'] = 'Loading your next steps…';
$string['newwindow'] = 'opens in a new window';
$string['noitems'] = 'No suggestions right now.';
$string['openwidget'] = 'Open my learning paths';
$string['openwidgetwindow'] = 'Open my learning paths in a new window';
$string['optedin'] = 'Profiling is on again.';
$string['optedout'] = 'You have opted out. Your learning records are kept, but no profile or suggestions are made.';
$string['optin'] = 'Turn profiling back on';
$string['optout'] = 'Opt out of profiling';
$string['outofband'] = 'The target is {$a->low}–{$a->high} % self-directed.';
$string['pluginname'] = 'Next steps';
$string['polku:addinstance'] = 'Add a Next steps block';
$string['polku:myaddinstance'] = 'Add a Next steps block to the Dashboard';
$string['polku:view'] = 'See one\'s own recommendations from Polku';
$string['privacy:metadata:localpolku'] = 'The events behind the recommendations are sent by the Polku local plugin.';
$string['privacy:metadata:polku'] = 'Polku, the learning-path service this site is connected to, records how the user answers recommendations and whether they opted out of profiling.';
$string['privacy:metadata:polku:learnerkey'] = 'A key made of this site\'s address and the user\'s id number.';
$string['privacy:metadata:polku:optout'] = 'Whether the user opted out of profiling.';
$string['privacy:metadata:polku:outcome'] = 'Whether the user accepted or dismissed the recommendation.';
$string['privacy:metadata:polku:recommendationid'] = 'The recommendation answered.';
$string['unavailable'] = 'Suggestions are not available right now.';
$string['why'] = 'Why am I seeing this?';
$string['whytext'] = 'Polku looks at what you do on this site (courses, discussions, notes, evidence) and at how you were enrolled, and suggests next steps that keep a balance between planned training and learning on your own initiative, together with others and at work. Each suggestion says why it was made. Your name, e-mail address and username are never sent. You can opt out of profiling at any time; your learning records are kept.';
$string['widgettitle'] = 'My learning paths (Polku)';
$string['widgetunavailable'] = 'The learning paths view is not available on this site.';
