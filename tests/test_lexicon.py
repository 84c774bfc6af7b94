"""Noise lexicons: lines they must catch, and lines that only look like noise."""

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.lexicon import _TRIM, match_noise, normalise, normalise_folded, stopwords
from pipeline.record import RemovalReason as R

CAUGHT = [
    ("fr", "Lire aussi : Le nouveau plan de Microsoft", R.RELATED_LINKS),
    ("fr", "LIRE AUSSI", R.RELATED_LINKS),
    ("fr", "Publicité", R.ADVERTISING),
    ("fr", "Pour aller plus loin:", R.RELATED_LINKS),
    ("fr", "Partager sur Facebook", R.SHARE),
    ("fr", "Commentaires (10)", R.COMMENTS_HEADER),
    ("fr", "12 réponses à « Le titre de l’article »", R.COMMENTS_HEADER),
    ("fr", "Signaler un abus", R.COMMENT_FORM),
    ("fr", "Répondre", R.COMMENT_FORM),
    ("fr", "Votre adresse e-mail ne sera pas publiée.", R.COMMENT_FORM),
    ("fr", "Vous avez repéré une erreur ou disposez de plus d’infos? Signalez-le ici", R.FEEDBACK),
    ("fr", "Rejoignez la communauté des passionnés de nouvelles technologies.", R.PROMOTION),
    ("fr", "Nous utilisons des cookies pour améliorer votre expérience.", R.COOKIE),
    ("fr", "Temps de lecture : 3 min", R.READING_TIME),
    ("fr", "Un smartphone avec OpenAI en arrière-fond © Markus Mainka / Shutterstock", R.CAPTION),
    ("en", "Advertisement", R.ADVERTISING),
    ("en", "Story continues below advertisement", R.ADVERTISING),
    ("en", "Sign up for our daily newsletter", R.NEWSLETTER),
    ("en", "We use cookies to give you the best experience", R.COOKIE),
    ("en", "5 min read", R.READING_TIME),
    ("en", "Copyright © 2023 Example Media. All rights reserved.", R.FOOTER),
    ("en", "© 2019 Example Media, Inc", R.FOOTER),
    ("en", "China furious at Macron for Hong Kong protest jibe [INSIGHT]", R.RELATED_LINKS),
    ("en", "Protesters have worn masks (Image: GETTY )", R.CAPTION),
    ("en", "Close share panel", R.SHARE),
    ("en", "Share Close extra sharing options", R.SHARE),
    ("en", "These are external links and will open in a new window", R.SHARE),
    ("en", "Why you can trust Sky News", R.NAVIGATION),
    ("en", "Text size", R.NAVIGATION),
    ("en", "Read Later", R.NAVIGATION),
    ("en", "You are signed in as", R.NAVIGATION),
    ("en", "Copy this link", R.SHARE),
    ("de", "Springe zum Inhalt", R.NAVIGATION),
    # prefixes ending in a space or a sign, followed by a word
    ("en", "Skip to primary sidebar", R.NAVIGATION),
    ("en", "Posted in Brookhaven , DeKalb , News", R.NAVIGATION),
    ("de", "Veröffentlicht in Body & Fitness", R.NAVIGATION),
    ("en", "©2019 Example Media", R.FOOTER),
    ("en", "No Comments Yet", R.COMMENTS_HEADER),
    ("de", "Anzeige", R.ADVERTISING),
    ("de", "Mehr zum Thema", R.RELATED_LINKS),
    ("de", "Zurück zur Übersicht", R.NAVIGATION),
    ("de", "Angemeldet bleiben", R.NAVIGATION),
    ("de", "Zum Weiterlesen", R.RELATED_LINKS),
    (None, "close", R.NAVIGATION),
    (None, "logo", R.NAVIGATION),
    # English template chrome on a French page
    ("fr", "Comments are closed", R.COMMENT_FORM),
    ("de", "Hinterlasse jetzt einen Kommentar", R.COMMENTS_HEADER),
    ("de", "Sei der Erste, dem dies gefällt.", R.COMMENT_FORM),
    ("es", "Deja un comentario", R.COMMENTS_HEADER),
    ("es", "Lee también: el Gobierno aprueba los presupuestos", R.RELATED_LINKS),
    ("es", "LEA TAMBIÉN: Impiden ingreso a un reportero extranjero", R.RELATED_LINKS),
    ("es", "PUEDES VER: ¿Qué es la Sunedu?", R.RELATED_LINKS),
    ("es", "Mira: el video del rescate en la mina", R.RELATED_LINKS),
    ("es", "NOTAS RELACIONADAS", R.RELATED_LINKS),
    ("es", "Síguenos en Telegram, Instagram, Facebook y Twitter", R.PROMOTION),
    ("pl", "Dowiedz się więcej", R.NAVIGATION),
    # consent dialogs: long paragraphs, still judged by how they open
    ("en", "We use cookies and other tracking technologies to improve your browsing experience "
           "on our site, show you personalized content and targeted ads, analyze site traffic, "
           "and understand where our audiences come from. To learn more or opt-out, read our "
           "Cookie Policy.", R.COOKIE),
    ("de", "Die technische Speicherung oder der Zugriff ist unbedingt erforderlich für den "
           "rechtmäßigen Zweck, die Nutzung eines bestimmten Dienstes zu ermöglichen, der vom "
           "Teilnehmer oder Nutzer ausdrücklich gewünscht wird, oder für den alleinigen Zweck "
           "der Durchführung der Übertragung einer Nachricht über ein elektronisches "
           "Kommunikationsnetz.", R.COOKIE),
    ("pl", "Czytaj też", R.RELATED_LINKS),
    ("pl", "Zapraszamy też do subskrypcji naszego newslettera", R.NEWSLETTER),
    ("it", "Leggi anche", R.RELATED_LINKS),
    ("pt", "O seu endereço de e-mail não será publicado.", R.COMMENT_FORM),
    # a caption that ends in its credit, and a share bar of labelled buttons
    ("de", "In Gottesdiensten gilt FFP2-Maskenpflicht. Foto: ccnull/Marco Verch", R.CAPTION),
    ("de", "Demut hinter Masken Foto: Adobe Stock", R.CAPTION),
    ("es", "Un grupo de pingüinos, en la Antártida el 11 de febrero pasado. Foto: EFE",
     R.CAPTION),
    ("es", "Compartir en Facebook Compartir en Twitter Compartir en WhatsApp", R.SHARE),
    (None, "Twitter Facebook LinkedIn Email Reddit Digg Print", R.SHARE),
    # a caption ending in its credit, whatever the language
    ("de", "Stau © aremac / Clipdealer", R.CAPTION),
    ("de", "Moderne Heizungen senken den Energieverbrauch © iStock.com/djedzura", R.CAPTION),
    ("de", "Das Hermelin ist im Winter gut getarnt. (mlharing / iStock.com)", R.CAPTION),
    ("pl", "Wieś pod Krakowem, jesień 2019 roku © Jan Kowalski", R.CAPTION),
    # WordPress's reply title and its cancel link on one line
    ("en", "Leave a Reply Cancel reply", R.COMMENTS_HEADER),
    ("fr", "Laisser un commentaire Annuler la réponse", R.COMMENTS_HEADER),
    ("de", "Schreibe einen Kommentar Antworten abbrechen", R.COMMENTS_HEADER),
    ("es", "Deja una respuesta Cancelar la respuesta", R.COMMENTS_HEADER),
    ("it", "Lascia un commento Annulla risposta", R.COMMENTS_HEADER),
    ("pt", "Deixe uma resposta Cancelar resposta", R.COMMENTS_HEADER),
    ("pl", "Dodaj komentarz Anuluj pisanie odpowiedzi", R.COMMENTS_HEADER),
]

# Sentences that mention the same words but are article text.
KEPT = [
    ("fr", "Partager sur Facebook ses photos de vacances expose les enfants, rappelle la CNIL."),
    ("fr", "La publicité en ligne représente désormais la moitié des dépenses du secteur."),
    ("fr", "Les commentaires des lecteurs ont afflué après la publication de l’enquête."),
    ("fr", "— Je ne partirai pas, répondit-il."),
    ("fr", "Lire aussi les travaux de la commission, qui détaillent chaque étape de la réforme "
           "engagée depuis 2019 et ses effets sur les ménages les plus modestes, serait utile "
           "à quiconque veut comprendre le débat actuel sur les retraites et les salaires."),
    ("en", "Advertising revenue fell by a third, the company said on Tuesday."),
    ("en", "Share prices rose sharply after the announcement."),
    ("en", "Sign up for the draft was mandatory in 1940, historians note."),
    ("en", "The cookies were baked at dawn."),
    ("en", "You are signed in as a guest, the clerk told him, and cannot vote."),
    ("en", "Text size matters less than contrast, the study found."),
    ("en", "Source: Insee"),
    ("es", "La publicidad institucional creció un 20 % el año pasado."),
    # a teaser word needs its colon; a name is not a teaser
    ("es", "Mira el video del rescate, publicado por los bomberos."),
    ("es", "Lea Karner llegó a la escuela en bicicleta."),
    # an ordinary prefix does not judge a long paragraph, only a consent sentence does
    ("en", "By continuing to invest in rail, the region hopes to cut journey times by a third "
           "before the end of the decade, a plan that has won support from business groups, "
           "unions and most of the councils along the route, the minister said on Tuesday."),
    ("pl", "Reklama telewizyjna kosztowała firmę ponad milion złotych."),
    ("de", "Die Kommentare der Leser waren überwiegend positiv."),
    ("de", "Weitere Informationen gibt die Stadtverwaltung am Montag bekannt."),
    # a photo named in a sentence, or an image inside a word, is no credit
    ("de", "Das Foto zeigt den Bürgermeister: Er lächelt, wie man ihn selten sieht."),
    ("de", "Die Weiterbildung: ein Angebot für alle Beschäftigten der Stadt"),
    ("es", "La foto del día: los bomberos rescatan a un perro atrapado en el río."),
    ("en", "Leave a reply cancel reply to the landlord, the tenants were told."),
    # a credit ends its line: © inside a sentence, or a library named in one, is text
    ("fr", "Le cliché © Jean Dupont a été vendu aux enchères. Puis la suite du récit."),
    ("de", "Ich nutze Pixabay für meine Bilder, sagt die Fotografin."),
    ("en", "Why you can trust a stranger more than a friend, and when you should not, is the "
           "question the study set out to answer over the three years it ran in Ohio."),
    ("en", "These are external links the company will open in a new window of its app."),
]


@pytest.mark.parametrize(("language", "line", "reason"), CAUGHT)
def test_lexicon_catches(language: str | None, line: str, reason: R) -> None:
    assert match_noise(line, language=language, prefix_max_chars=200) is reason


@pytest.mark.parametrize(("language", "line"), KEPT)
def test_lexicon_leaves_article_text(language: str, line: str) -> None:
    assert match_noise(line, language=language, prefix_max_chars=200) is None


@pytest.mark.parametrize(("text", "key"), [
    ("  • Lire aussi :  ", "lire aussi"),
    ("Commentaires (10)", "commentaires (10)"),
    ("PARTAGER", "partager"),
    ("lire  aussi", "lire aussi"),
    ("lire\u00a0aussi\tici", "lire aussi ici"),
    ("lire\u2028aussi", "lire aussi"),
    ("lire\u200baussi", "lire\u200baussi"),  # not white space: it stays
])
def test_normalise(text: str, key: str) -> None:
    assert normalise(text) == key


@given(st.text(st.sampled_from("ab :\u00a0\t\n\u2009\u2028\u200b•")))
def test_normalise_puts_single_spaces_between_words(text: str) -> None:
    folded = text.casefold()
    assert normalise_folded(folded) == " ".join(folded.strip(_TRIM).split())


@pytest.mark.parametrize(("text", "key"), [
    ("  • Lire aussi :  ", "lire aussi"),
    ("«\u00a0İSTANBUL\u00a0»", "i̇stanbul"),
    ("ΟΔΟΣ :", "οδοσ"),
    ("Straße.", "strasse"),
    ("ﬁn —", "fin"),
])
def test_normalise_folded_is_normalise(text: str, key: str) -> None:
    assert normalise(text) == normalise_folded(text.casefold()) == key


def test_trimming_and_case_folding_commute() -> None:
    # what lets normalise_folded trim after folding: no character folds to, or from,
    # a trimmed one (casefold maps each character alone)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        folded = char.casefold()
        assert folded, hex(code)
        if char in _TRIM:
            assert folded == char, hex(code)
        else:
            assert not set(folded) & set(_TRIM), hex(code)


def test_stopwords_fall_back_to_english_and_french() -> None:
    assert {"the", "le", "and", "et"} <= stopwords(None)
    assert "und" in stopwords("de")
    assert stopwords("ja") == frozenset()


@pytest.mark.parametrize(("line", "reason"), [
    ("He didn’t get it. Credit... Doug Mills/The New York Times", R.CAPTION),
    ("Credit: AP", R.CAPTION),
    ("June 10 -- MIDFLORIDA Credit Union Amphitheatre, Tampa, FL", None),
    ("Credit card debt rose again in October.", None),
])
def test_credit_lines_are_captions_but_the_word_credit_is_not(line: str, reason: R | None) -> None:
    assert match_noise(line, language="en", prefix_max_chars=200) is reason


@pytest.mark.parametrize(("language", "line", "reason"), [
    ("en", "Log in Register", R.NAVIGATION),
    ("en", "Previous Next", R.NAVIGATION),  # a gallery's arrows
    ("en", "Share Tweet Share Subscribe Email", R.SHARE),
    ("de", "Kontakt Impressum Datenschutz", R.NAVIGATION),
    ("de", "Abbrechen Senden", R.COMMENT_FORM),
    ("fr", "Se connecter S’abonner", R.NAVIGATION),
    # a word that is no label breaks the row
    ("en", "Science and Health", None),
    ("en", "News from the world", None),
    ("en", "Live local music tonight", None),
    # longer than row_max_words: judged as a menu by the classifier, not here
    ("en", "Sign up Sign up Sign up Sign up Sign up Sign up Sign up", None),
])
def test_a_row_of_labels_takes_the_first_one_s_reason(language: str, line: str,
                                                      reason: R | None) -> None:
    assert match_noise(line, language=language, prefix_max_chars=200, row_max_words=12) is reason
    # without rows, only a whole entry counts
    assert match_noise(line, language=language, prefix_max_chars=200) is None
