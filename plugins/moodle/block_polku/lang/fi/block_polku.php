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
 * Finnish strings of block_polku.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['accept'] = 'Hyväksy';
$string['balancelabel'] = 'Omaehtoista {$a->self} %, suunniteltua {$a->structured} %.';
$string['dismiss'] = 'Ohita';
$string['inband'] = 'Hyvä tasapaino.';
$string['kind:apply_at_work'] = 'Sovella työssä';
$string['kind:choose_your_next_step'] = 'Valitse seuraava askeleesi';
$string['kind:complete_required'] = 'Suorita pakollinen koulutus';
$string['kind:continue_path'] = 'Jatka polkuasi';
$string['kind:explore_future_skill'] = 'Tutustu tulevaisuuden taitoon';
$string['kind:other'] = 'Ehdotettu seuraava askel';
$string['kind:reflect'] = 'Pohdi oppimaasi';
$string['kind:share_with_community'] = 'Jaa muille';
$string['kind:turn_course_into_path'] = 'Tee kurssista polku';
$string['loading'] = 'Ladataan seuraavia askeliasi…';
$string['newwindow'] = 'avautuu uuteen ikkunaan';
$string['noitems'] = 'Ei ehdotuksia juuri nyt.';
$string['openwidget'] = 'Avaa oppimispolkuni';
$string['openwidgetwindow'] = 'Avaa oppimispolkuni uuteen ikkunaan';
$string['optedin'] = 'Profilointi on taas käytössä.';
$string['optedout'] = 'Olet kieltäytynyt profiloinnista. Oppimistietosi säilyvät, mutta profiilia tai ehdotuksia ei muodosteta.';
$string['optin'] = 'Ota profilointi takaisin käyttöön';
$string['optout'] = 'Kieltäydy profiloinnista';
$string['outofband'] = 'Tavoite on {$a->low}–{$a->high} % omaehtoista oppimista.';
$string['pluginname'] = 'Seuraavat askeleet';
$string['polku:addinstance'] = 'Lisää Seuraavat askeleet -lohko';
$string['polku:myaddinstance'] = 'Lisää Seuraavat askeleet -lohko Omalle sivulle';
$string['polku:view'] = 'Nähdä omat suosituksensa Polusta';
$string['privacy:metadata:localpolku'] = 'Suositusten pohjana olevat tapahtumat lähettää Polku-lisäosa (local_polku).';
$string['privacy:metadata:polku'] = 'Polku, oppimispolkupalvelu, johon tämä sivusto on liitetty, tallentaa, miten käyttäjä vastaa suosituksiin ja onko hän kieltäytynyt profiloinnista.';
$string['privacy:metadata:polku:learnerkey'] = 'Tunniste, joka muodostuu tämän sivuston osoitteesta ja käyttäjän id-numerosta.';
$string['privacy:metadata:polku:optout'] = 'Onko käyttäjä kieltäytynyt profiloinnista.';
$string['privacy:metadata:polku:outcome'] = 'Hyväksyikö vai ohittiko käyttäjä suosituksen.';
$string['privacy:metadata:polku:recommendationid'] = 'Suositus, johon vastattiin.';
$string['unavailable'] = 'Ehdotukset eivät ole juuri nyt saatavilla.';
$string['why'] = 'Miksi näen tämän?';
$string['whytext'] = 'Polku tarkastelee, mitä teet tällä sivustolla (kurssit, keskustelut, muistiinpanot, näytöt) ja miten sinut on kirjattu kursseille, ja ehdottaa seuraavia askelia, jotka pitävät tasapainon suunnitellun koulutuksen ja omaehtoisen, yhdessä muiden kanssa ja työn lomassa tapahtuvan oppimisen välillä. Jokaisessa ehdotuksessa kerrotaan, miksi se tehtiin. Nimeäsi, sähköpostiosoitettasi tai käyttäjätunnustasi ei koskaan lähetetä. Voit kieltäytyä profiloinnista milloin tahansa; oppimistietosi säilyvät.';
$string['widgettitle'] = 'Oppimispolkuni (Polku)';
$string['widgetunavailable'] = 'Oppimispolkujen näkymä ei ole käytössä tällä sivustolla.';
